"""The floor of a page: a bare Flask app that answers with stored bytes, served as the portal is
(waitress, 8 threads). `python -m benchmarks.reference.bare_page PORT FOLDER` answers GET /NAME
with the bytes of FOLDER/NAME."""

import sys
from pathlib import Path

from flask import Flask, Response, abort
from waitress import serve

THREADS = 8  # as `python -m portal` serves (portal/__main__.py)


def bare_app(folder: Path) -> Flask:
    """A Flask app with one view: the stored page of that name, as HTML."""
    pages = {path.name: path.read_bytes() for path in folder.iterdir()}
    app = Flask(__name__)

    @app.get("/<name>")
    def page(name: str) -> Response:
        """The stored bytes, read once at start."""
        if name not in pages:
            abort(404)
        return Response(pages[name], mimetype="text/html")

    return app


def main() -> None:
    """Serve the pages of FOLDER on PORT."""
    port, folder = sys.argv[1], Path(sys.argv[2])
    serve(bare_app(folder), listen=f"127.0.0.1:{port}", threads=THREADS)


if __name__ == "__main__":
    main()
