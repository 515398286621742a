"""What one driver account keeps across restarts, in one Store, and how older files are read.

Version 2 keeps the book of sessions (`book.py`), what was learned of the operator and the
driver's token uids. Version 1 kept the same in two files: the ledger with the rest in
`.sessions`, the hours in `.hourly`; the migration merges both into the book, and the `.hourly`
file goes once its hours are in the new one. (A release that knows only version 1 refuses the
new file rather than reading it as empty.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from homeassistant.helpers.storage import Store

from .battery import BatteryModel
from .book import SessionBook
from .const import DOMAIN
from .forecast import OperatorModel
from .idle import IdleWatch

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

STORAGE_VERSION = 2
# Minor 2: a session's stop record says whether a limit's STOP keeps failing (older: no).
# Minor 3: the bills still awaited (older: none).
# Minor 4: each session's Battery limit, and what was learned of the car's battery (older: none).
# Minor 5: the book's folded hour, which holds its retired hours of over a year ago (older: none;
# to a release before it, that hour is one more retired hour, and the totals are the same).
STORAGE_MINOR_VERSION = 5
_RELEASE_1 = 1


@dataclass
class AccountData:
    """Everything an account keeps, as loaded."""

    book: SessionBook
    operator: OperatorModel
    token_uids: dict[str, str]
    """The driver's charging token uid per location (hex id), as the gateway gave it."""
    first_run: bool
    """Nothing was stored before: the latest session may be old news."""
    pending_bills: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The bills still awaited, by session id (see billing.PendingBill)."""
    idle: IdleWatch = field(default_factory=IdleWatch)
    """The latest session's recent energy, and whether it is idle (announced once)."""
    battery: BatteryModel = field(default_factory=BatteryModel)
    """The car's metered kWh per percent of battery, learned session by session."""


class AccountStore(Store[dict[str, Any]]):
    """The Store of one account: `evnnovator.<entry id>.sessions`."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """The Store of the account of config entry `entry_id`."""
        super().__init__(
            hass,
            STORAGE_VERSION,
            f"{DOMAIN}.{entry_id}.sessions",
            minor_version=STORAGE_MINOR_VERSION,
        )
        self._release_1_hourly: Store[dict[str, Any]] = Store(
            hass, _RELEASE_1, f"{DOMAIN}.{entry_id}.hourly"
        )
        self._release_1_hours: dict[str, Any] | None = None
        self._migrated = False

    async def async_load_account(self) -> AccountData:
        """What earlier runs kept (migrated to this version), or a first run's nothing."""
        # Read before this Store, not inside its migration: Home Assistant loads at most six
        # Stores at once, and six accounts migrating together would each wait for a seventh.
        self._release_1_hours = await self._release_1_hourly.async_load()
        stored = await self.async_load()
        if self._migrated and self._release_1_hours is not None:
            await self._release_1_hourly.async_remove()
        self._release_1_hours = None
        if stored is None:
            return AccountData(SessionBook(), OperatorModel(), {}, first_run=True)
        return AccountData(
            book=SessionBook(stored.get("book")),
            operator=OperatorModel(stored.get("operator")),
            token_uids=dict(stored.get("token_uids") or {}),
            first_run=False,
            pending_bills=dict(stored.get("pending_bills") or {}),
            idle=IdleWatch(stored.get("idle")),
            battery=BatteryModel(stored.get("battery")),
        )

    @staticmethod
    def as_stored(data: AccountData) -> dict[str, Any]:
        """The data to write: JSON-able."""
        return {
            "book": data.book.as_dict(),
            "operator": data.operator.as_dict(),
            "token_uids": dict(data.token_uids),
            "pending_bills": dict(data.pending_bills),
            "idle": data.idle.as_dict(),
            "battery": data.battery.as_dict(),
        }

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> dict[str, Any]:
        """Version 1 to this one; a later minor version of this one is read as it is.

        Home Assistant refuses a later major version before it gets here.
        """
        if old_major_version != _RELEASE_1:
            # Same major version, later minor: what it added, this one does without (Home
            # Assistant then keeps the data unchanged).
            raise NotImplementedError
        book = SessionBook.from_release_1(old_data, self._release_1_hours)
        self._migrated = True
        return {
            "book": book.as_dict(),
            # As kept: the operator model reads it as it always did.
            "operator": dict(old_data.get("operator") or {}),
            "token_uids": dict(old_data.get("token_uids") or {}),
            # The first release kept no awaited bill: the latest session's is asked for again.
            "pending_bills": {},
            # Nor did it watch for an idle car.
            "idle": IdleWatch().as_dict(),
            "battery": BatteryModel().as_dict(),
        }
