"""Every relative link and image of README.md and docs/ resolves, and every docs page is linked.

GitHub and HACS render these pages; a link to a moved page or a renamed heading is a dead end for
the reader. A relative link must name a file (or folder) of the repository, and its `#anchor` a
heading of that page, by GitHub's slug rules. Absolute URLs are not followed: no network.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
import re
from urllib.parse import unquote

import pytest

REPO = Path(__file__).parent.parent

# A fenced code block opens and closes with ``` or ~~~ (indented inside a list item too).
FENCE = re.compile(r"^\s*(```|~~~)")
# Code spans: what is inside is shown as it is, never a link.
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
# The target of an inline link or image: `](target)` or `](target "title")`. Matching the
# bracket's end alone also finds the link around a badge image, `[![...](img)](url)`.
LINK_TARGET = re.compile(r"\]\(\s*<?([^\s()<>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
# Images and links written as HTML.
HTML_TARGET = re.compile(r"<(?:img|a)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"", re.IGNORECASE)
HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
# http:, https:, mailto: ...: not a file of the repository.
URL_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


@dataclass(frozen=True)
class Link:
    """One link or image of a page."""

    page: Path
    line: int
    target: str

    def where(self, root: Path) -> str:
        return f"{self.page.relative_to(root)}:{self.line}: {self.target}"


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lowercase, punctuation but '-' and '_' gone, ' ' to '-'."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link shows its text
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def prose_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) of each line outside fenced code."""
    in_fence = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            yield number, line


def anchors(path: Path) -> set[str]:
    """The anchors of a page's headings; a repeated heading gets -1, -2, ... as on GitHub."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    for _, line in prose_lines(path):
        if match := HEADING.match(line):
            base = slug(match.group(1))
            repeat = seen.get(base, 0)
            seen[base] = repeat + 1
            found.add(f"{base}-{repeat}" if repeat else base)
    return found


def links(path: Path) -> Iterator[Link]:
    for number, line in prose_lines(path):
        for pattern in (LINK_TARGET, HTML_TARGET):
            for match in pattern.finditer(CODE_SPAN.sub("", line)):
                yield Link(path, number, match.group(1))


def resolve(link: Link) -> tuple[Path | None, str]:
    """The file a relative link names (None for a URL or an anchor alone) and its anchor."""
    address, _, anchor = link.target.partition("#")
    address = address.partition("?")[0]
    if URL_SCHEME.match(address):
        return None, ""
    if not address:
        return link.page, anchor
    return (link.page.parent / unquote(address)).resolve(), unquote(anchor)


def broken_links(pages: Iterable[Path], root: Path) -> list[str]:
    """Each link of these pages that leads nowhere, with its page, line and why."""
    root = root.resolve()
    problems = []
    for page in pages:
        for link in links(page.resolve()):
            if URL_SCHEME.match(link.target):
                continue
            target, anchor = resolve(link)
            assert target is not None
            if not target.is_relative_to(root):
                problems.append(f"{link.where(root)}: outside the repository")
            elif not target.exists():
                problems.append(f"{link.where(root)}: no such file")
            elif anchor and target.suffix == ".md" and anchor not in anchors(target):
                problems.append(f"{link.where(root)}: no heading '{anchor}' there")
    return problems


def unlinked_pages(root: Path) -> list[str]:
    """Each docs/*.md page that neither README.md nor docs/README.md links to."""
    root = root.resolve()
    indexes = [root / "README.md", root / "docs" / "README.md"]
    linked = {
        target
        for index in indexes
        if index.exists()
        for link in links(index)
        if (target := resolve(link)[0]) is not None and target != index
    }
    return [
        str(page.relative_to(root))
        for page in sorted((root / "docs").glob("*.md"))
        if page not in linked
    ]


def documentation(root: Path) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


# --- The repository's own pages ---------------------------------------------------------------


def test_every_link_and_image_of_the_docs_resolves() -> None:
    pages = documentation(REPO)
    checked = [link for page in pages for link in links(page) if resolve(link)[0] is not None]
    # The checker found the links it checks (a checker that sees none would pass anything).
    assert len(checked) > 50
    assert any(link.target.endswith(".png") for link in checked)
    assert broken_links(pages, REPO) == []


def test_every_docs_page_is_linked_from_an_index() -> None:
    assert len(list((REPO / "docs").glob("*.md"))) > 5
    assert unlinked_pages(REPO) == []


# --- The checker: it fails on what is broken ---------------------------------------------------


def make_site(root: Path, readme: str, pages: dict[str, str]) -> None:
    (root / "docs").mkdir()
    (root / "README.md").write_text(readme, encoding="utf-8")
    for name, text in pages.items():
        (root / "docs" / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Options", "options"),
        ("How data is updated, and its limits", "how-data-is-updated-and-its-limits"),
        ("`evnnovator.start_charging`", "evnnovatorstart_charging"),
        ("A month of real life (the soak)", "a-month-of-real-life-the-soak"),
        ("[Set-up](#x) & more", "set-up--more"),
    ],
)
def test_slug_follows_github(heading: str, anchor: str) -> None:
    assert slug(heading) == anchor


def test_a_repeated_heading_gets_a_number(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Notes\n\n## Notes\n\n```sh\n# not a heading\n```\n\n### `code.name`\n", encoding="utf-8"
    )
    assert anchors(page) == {"notes", "notes-1", "codename"}


def test_a_broken_link_or_image_is_reported(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("# Outside\n", encoding="utf-8")
    root = tmp_path / "repo"
    root.mkdir()
    make_site(
        root,
        "# Repo\n\n"
        "[Fine](docs/page.md#a-heading-with-punctuation) and [up](#repo).\n"
        "[Gone](docs/gone.md) and ![Gone too](docs/gone.png)\n"
        '<img src="docs/missing.png">\n'
        "[Wrong heading](docs/page.md#nowhere), [here too](#nowhere).\n"
        "[Out](../outside.md)\n",
        {"page.md": "# A heading, with punctuation!\n"},
    )
    assert broken_links([root / "README.md"], root) == [
        "README.md:4: docs/gone.md: no such file",
        "README.md:4: docs/gone.png: no such file",
        "README.md:5: docs/missing.png: no such file",
        "README.md:6: docs/page.md#nowhere: no heading 'nowhere' there",
        "README.md:6: #nowhere: no heading 'nowhere' there",
        "README.md:7: ../outside.md: outside the repository",
    ]


def test_code_and_urls_are_not_checked(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        "`[code](gone.md)`\n\n```markdown\n[fenced](gone.md)\n```\n\n"
        "[web](https://example.com/gone.md) [mail](mailto:someone@example.com)\n",
        {},
    )
    assert broken_links([tmp_path / "README.md"], tmp_path) == []


def test_an_unlinked_page_is_reported(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        "[Docs](docs/README.md)\n",
        {
            "README.md": "[Linked](linked.md) [Myself](README.md)\n",
            "linked.md": "[Orphan](orphan.md) links do not count from here.\n",
            "orphan.md": "# Orphan\n",
        },
    )
    assert unlinked_pages(tmp_path) == ["docs/orphan.md"]
