"""Language knowledge as data (words.toml, concepts), text normalisation and tokenisation."""
