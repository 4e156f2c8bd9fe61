"""Core's quality gates on this plugin: migrations, models, translations, URL arguments, the
authorization matrix over its routes, junk posted to its forms."""

from core.testing_kit import PluginGates


class TestGates(PluginGates):
    plugin = "pension_audit"
