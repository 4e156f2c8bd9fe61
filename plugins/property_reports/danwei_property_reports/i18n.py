"""This plugin's gettext functions, bound to its own ``danwei_property_reports`` domain.

Import them from here, not from ``core.api``: the plugin's catalogue then wins over core's
where both translate a msgid (see "Translations" in ``docs/plugins.md``).
"""

from core.api import plugin_translations

translations = plugin_translations("property_reports")
gettext = translations.gettext
lazy_gettext = translations.lazy_gettext
ngettext = translations.ngettext

__all__ = ["gettext", "lazy_gettext", "ngettext"]
