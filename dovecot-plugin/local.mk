## dovecot-plugin/local.mk - Dovecot plugins, built with Dovecot's CFLAGS
## (DOVECOT_PLUGIN_CFLAGS, $(LIBDOVECOT_INCLUDE)) and installed into
## $(dovecot_moduledir); see issue #5.
