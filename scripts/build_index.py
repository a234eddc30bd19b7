"""Build the index: a thin wrapper around `assistant build`."""

import sys

from assistant.cli import main

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]]))
