## doc/local.mk - admin documentation
dist_doc_DATA += doc/store.md doc/settings.md doc/chatmail-policyd.md \
	doc/control-protocol.md
