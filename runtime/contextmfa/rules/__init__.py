"""The rule language: declarative guardrails for security teams (spec/rules-language.md).

    ruleset = compile_rule_files(config.rule_files)      # once per config version
    ctx = RuleContext.build(event, geoip=geoip, asn=asn, risk=risk)
    directives = ruleset.evaluate(ctx)                   # microseconds per login

From text to closures, one concept per module:

- ``parser`` (lark LALR over ``grammar/rules.lark``) and ``syntax`` (friendly syntax errors)
  build ``nodes``, the syntax tree with positions;
- ``checker`` (files, lists, rules, outcomes), ``conditions`` (names and types) and
  ``value_checks`` (literals against the values a field can hold) check it against ``fields``
  (the vocabulary) and ``domains`` (with ``countries``), using ``literals``, ``listfiles`` and
  ``diagnostics``, and produce ``checked`` trees;
- ``compiler`` turns those into closures over ``context`` (the lazy view of one login), with the
  run-time semantics of ``values`` and ``matching``;
- ``ruleset`` compiles a config's files and evaluates them in priority order.

The language reference for rule authors is ``grammar/README.md``.
"""

from contextmfa.rules.context import RuleContext
from contextmfa.rules.ruleset import CompiledRule, RuleSet, compile_rule_files, compile_text

__all__ = ["CompiledRule", "RuleContext", "RuleSet", "compile_rule_files", "compile_text"]
