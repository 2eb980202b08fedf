"""CoPsite's library floor: what no app owns and every app may use (docs/architecture.md).

Model-less and below every app: nothing here imports `members`, `communities`, `activities`, `repertoire`,
`insights` or `copsite` (tests/test_architecture.py keeps it so). Not an installed app.
"""
