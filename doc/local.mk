## doc/local.mk - admin documentation
dist_doc_DATA += doc/store.md doc/settings.md doc/chatmail-policyd.md \
	doc/control-protocol.md
dist_doc_DATA += doc/dovecot-plugin.md
dist_doc_DATA += doc/dovecot-protocol.md
dist_doc_DATA += doc/encryption-gate.md
