"""Read the .eml files that FileTransport wrote, for a development page that shows sent mail."""

from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from pathlib import Path


@dataclass(frozen=True)
class MailFileInfo:
    """One written mail as a listing shows it."""

    name: str
    mtime: datetime
    subject: str
    to: str


def list_mail_files(directory: str | Path) -> list[MailFileInfo]:
    """The .eml files in the directory, newest first; none when it does not exist yet."""
    infos = [_info(path) for path in Path(directory).glob("*.eml") if path.is_file()]
    return sorted(infos, key=lambda info: (info.mtime, info.name), reverse=True)


def read_mail_file(directory: str | Path, name: str) -> EmailMessage:
    """Parse one .eml file by its bare name; anything that could leave the directory is refused."""
    folder = Path(directory).resolve()
    path = (folder / name).resolve()
    if Path(name).name != name or not name.endswith(".eml") or path.parent != folder:
        raise ValueError(f"not a mail file name: {name!r}")
    with path.open("rb") as file:
        return BytesParser(_class=EmailMessage, policy=policy.default).parse(file)


def _info(path: Path) -> MailFileInfo:
    """The listing entry of one .eml file, from its headers only."""
    with path.open("rb") as file:
        headers = BytesHeaderParser(policy=policy.default).parse(file)
    return MailFileInfo(
        name=path.name,
        mtime=datetime.fromtimestamp(path.stat().st_mtime, UTC),
        subject=str(headers["Subject"] or ""),
        to=str(headers["To"] or ""),
    )
