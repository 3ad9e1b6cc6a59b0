"""`python -m juesuan_cli`: the `juesuan` command."""

from juesuan_cli import main

main()
