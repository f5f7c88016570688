## dovecot-plugin/local.mk - Dovecot plugins, built with Dovecot's CFLAGS
## (DOVECOT_PLUGIN_CFLAGS, $(LIBDOVECOT_INCLUDE)) and installed into
## $(dovecot_moduledir); see issue #5. Never sanitized (they load into an
## uninstrumented Dovecot) and never linked with libdovecot: its symbols
## come from the process that loads them. Only the loader's symbols are
## exported, so the two modules' copies of the client and codec never
## bind to each other inside one doveadm process.
# "make distcheck" configures --without-dovecot-install-dirs, which turns
# dovecot_moduledir into $(moduledir); DC_DOVECOT leaves that one to us.
moduledir = $(libdir)/dovecot/modules
CM_DOVECOT_CPPFLAGS = -I$(top_srcdir)/shared -I$(top_srcdir)/dovecot-plugin \
	$(LIBDOVECOT_INCLUDE)
CM_DOVECOT_CFLAGS = $(DOVECOT_PLUGIN_CFLAGS) $(WARN_CFLAGS)
CM_DOVECOT_LDFLAGS = -module -avoid-version -shared
CM_DOVECOT_CLIENT = \
	dovecot-plugin/chatmail-client.c dovecot-plugin/chatmail-client.h \
	shared/cm_dove_codec.c shared/cm_dove_codec.h \
	shared/cm_pct.c shared/cm_pct.h

# The mail plugin (mail_plugins = quota chatmail): quota backend
# "chatmail", new-mail events, instant IDLE (chatmail-idle.c).
dovecot_module_LTLIBRARIES = dovecot-plugin/lib95_chatmail_plugin.la
dovecot_plugin_lib95_chatmail_plugin_la_CPPFLAGS = $(CM_DOVECOT_CPPFLAGS)
dovecot_plugin_lib95_chatmail_plugin_la_CFLAGS = $(CM_DOVECOT_CFLAGS)
dovecot_plugin_lib95_chatmail_plugin_la_LDFLAGS = $(CM_DOVECOT_LDFLAGS) \
	-export-symbols-regex '^chatmail_plugin_'
dovecot_plugin_lib95_chatmail_plugin_la_SOURCES = \
	dovecot-plugin/chatmail-plugin.c dovecot-plugin/chatmail-plugin.h \
	dovecot-plugin/chatmail-quota.c dovecot-plugin/chatmail-quota.h \
	dovecot-plugin/chatmail-events.c dovecot-plugin/chatmail-events.h \
	dovecot-plugin/chatmail-idle.c dovecot-plugin/chatmail-idle.h \
	$(CM_DOVECOT_CLIENT)

# doveadm chatmail quota|stats|hydrate (modules/doveadm).
dovecot_doveadmdir = $(dovecot_moduledir)/doveadm
dovecot_doveadm_LTLIBRARIES = dovecot-plugin/lib95_doveadm_chatmail_plugin.la
dovecot_plugin_lib95_doveadm_chatmail_plugin_la_CPPFLAGS = $(CM_DOVECOT_CPPFLAGS)
dovecot_plugin_lib95_doveadm_chatmail_plugin_la_CFLAGS = $(CM_DOVECOT_CFLAGS)
dovecot_plugin_lib95_doveadm_chatmail_plugin_la_LDFLAGS = \
	$(CM_DOVECOT_LDFLAGS) -export-symbols-regex '^doveadm_chatmail_plugin_'
dovecot_plugin_lib95_doveadm_chatmail_plugin_la_SOURCES = \
	dovecot-plugin/doveadm-chatmail.c $(CM_DOVECOT_CLIENT)
