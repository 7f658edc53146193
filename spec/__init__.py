"""The normative rules (``rules.md``) and rule-set data (``rulesets/*.toml``), shipped as data."""
