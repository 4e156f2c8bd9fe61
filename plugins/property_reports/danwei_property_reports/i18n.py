"""This plugin's gettext functions, bound to its own ``danwei_property_reports`` domain.

Import them from here, not from ``core.api``: the plugin's catalogue then wins over core's
where both translate a msgid (see "Translations" in ``docs/plugins.md``).
"""

from core.api import plugin_translations

gettext, lazy_gettext, ngettext = plugin_translations("property_reports")
