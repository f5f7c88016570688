## packaging/local.mk - systemd units and config snippets
