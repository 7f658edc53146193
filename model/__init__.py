"""marginspec: the executable reference model of perpetual-futures margin rules.

Every formula cites the rule ID it implements; the rules live in ``spec/rules.md``
(shipped as ``marginspec.spec``).
"""

__version__ = "0.1.0"
