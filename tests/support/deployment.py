"""The production image and compose file as data, and the image's file tree laid out on this
machine: there is no Docker daemon here, so the tests read the Dockerfile and run its commands."""

import json
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = PROJECT_ROOT / "Dockerfile"
COMPOSE_FILE = PROJECT_ROOT / "deploy" / "compose.yaml"
ENV_EXAMPLE = PROJECT_ROOT / "deploy" / "env.example"
# ${NAME}, ${NAME:-default}, ${NAME:?error}: compose's interpolation.
INTERPOLATION = re.compile(r"\$\{(\w+)(?::?[-?][^}]*)?\}")
REQUIRED = re.compile(r"\$\{(\w+):\?[^}]*\}")
# The image's programs, from the virtualenv.
_PROGRAMS = {name: str(Path(sys.executable).with_name(name)) for name in ("flask", "pybabel")}
_PROGRAMS["python"] = sys.executable


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction: its keyword and the rest of its (joined) line."""

    keyword: str
    arguments: str


@dataclass(frozen=True)
class Stage:
    """A build stage: its base image, its name and its instructions after FROM."""

    base: str
    name: str | None
    instructions: tuple[Instruction, ...]

    def arguments(self, keyword: str) -> list[str]:
        """The arguments of every instruction with `keyword`, in order."""
        return [each.arguments for each in self.instructions if each.keyword == keyword]

    def environment(self) -> dict[str, str]:
        """The variables its ENV instructions set."""
        pairs = (word.split("=", 1) for line in self.arguments("ENV") for word in shlex.split(line))
        return dict(pairs)

    def workdir(self) -> PurePosixPath:
        """Its last WORKDIR."""
        return PurePosixPath(self.arguments("WORKDIR")[-1])


def dockerfile_stages() -> list[Stage]:
    """The Dockerfile's stages, comments dropped and continued lines joined as Docker does."""
    lines = [line for line in DOCKERFILE.read_text().splitlines() if not line.startswith("#")]
    joined = re.sub(r"\\\n", "", "\n".join(lines))
    stages: list[Stage] = []
    for line in filter(None, map(str.strip, joined.splitlines())):
        keyword, _, arguments = line.partition(" ")
        if keyword.upper() == "FROM":
            base, _, name = arguments.partition(" AS ")
            stages.append(Stage(base.strip(), name.strip() or None, ()))
        else:
            last = stages[-1]
            instruction = Instruction(keyword.upper(), arguments.strip())
            stages[-1] = Stage(last.base, last.name, (*last.instructions, instruction))
    return stages


def exec_form(arguments: str) -> list[str]:
    """A CMD's (or HEALTHCHECK's, after its options) command in exec (JSON) form."""
    command = json.loads(arguments.split(" CMD ", 1)[-1].strip())
    assert isinstance(command, list), arguments
    return command


def lay_out_image(stage: Stage, root: Path) -> None:
    """Build the stage's /app in `root`: its COPY instructions, then the steps of its RUN
    instructions that work on those files (compiling bytecode and translations)."""
    _copy_into(stage, root)
    for step in _build_steps(stage):
        subprocess.run(on_this_machine(step, stage.workdir(), root), cwd=root, check=True)


def _copy_into(stage: Stage, root: Path) -> None:
    """Copy what the stage's COPY instructions put in the image, less what Docker ignores.
    A copy from the builder stage brings system files (the letters' font), which this machine
    has in the same place (its Debian packages), not /app's."""
    for arguments in stage.arguments("COPY"):
        *sources, target = shlex.split(arguments)
        if sources[0] == "--from=builder":
            assert not target.startswith(str(stage.workdir())), arguments
            assert all(Path(source).exists() for source in sources[1:]), arguments
            continue
        assert not any(source.startswith("--") for source in sources), arguments
        destination = root / (stage.workdir() / target).relative_to(stage.workdir())
        for source in map(PROJECT_ROOT.joinpath, sources):
            if source.is_dir():
                ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
                shutil.copytree(source, destination, ignore=ignore)
            else:
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, destination)


def _build_steps(stage: Stage) -> list[list[str]]:
    """The commands of the stage's RUN instructions that run Python or Babel on /app."""
    steps = (shlex.split(step) for run in stage.arguments("RUN") for step in run.split("&&"))
    return [step for step in steps if step[0] in ("python", "pybabel")]


def on_this_machine(command: list[str], app_dir: PurePosixPath, root: Path) -> list[str]:
    """An image command run here: the virtualenv's python and flask, `app_dir` under `root`."""
    here = [_PROGRAMS.get(command[0], command[0]), *command[1:]]
    return [word.replace(str(app_dir), str(root), 1) for word in here]


def compose() -> dict[str, Any]:
    """The compose file, its YAML anchors and merge keys resolved."""
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return loaded


def interpolate(value: str, settings: dict[str, str]) -> str:
    """A compose value with each ${NAME…} replaced from `settings` (KeyError when missing)."""
    return INTERPOLATION.sub(lambda match: settings[match[1]], value)


def required_settings() -> set[str]:
    """The names compose refuses to start without (${NAME:?…})."""
    return set(REQUIRED.findall(COMPOSE_FILE.read_text()))


def example_settings() -> dict[str, str]:
    """The settings deploy/env.example names (comments skipped), with their example values."""
    lines = ENV_EXAMPLE.read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if line and not line.startswith("#"))
    return dict(pairs)
