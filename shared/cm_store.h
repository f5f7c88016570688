#ifndef CM_STORE_H
#define CM_STORE_H

/*++
 * NAME
 *	cm_store 3h
 * SUMMARY
 *	the chatmail SQLite store: open, schema, transactions, snapshots
 * SYNOPSIS
 *	#include "cm_store.h"
 * DESCRIPTION
 *	One database file holds settings, quotas, the blocklist,
 *	registration tokens, the federation policy and statistics, and the
 *	message counters. cm_store_open() opens (or creates) it in WAL mode
 *	with a busy timeout and foreign keys on, and migrates the schema
 *	forward (PRAGMA user_version); a file from a newer build is refused.
 *
 *	In-memory mode (options.in_memory) copies the disk file into RAM
 *	with SQLite's backup API and serves everything from RAM;
 *	cm_store_sync() then writes a snapshot with "VACUUM INTO
 *	<path>.tmp", fsyncs it and renames it over <path>. Read-only
 *	handles (options.read_only) never write and never migrate.
 *
 *	A struct cm_store may be used from several threads: one recursive
 *	mutex serialises every call, and a transaction holds it from
 *	cm_store_begin() to cm_store_commit()/cm_store_rollback(), so other
 *	writers (and cm_store_sync()) wait rather than interleave.
 *
 *	Statements are prepared once per handle and bound with parameters;
 *	SQL text is never pasted together from values.
 * DIAGNOSTICS
 *	Functions return 0 on success and -1 with *err filled on failure;
 *	lookups return 1 found, 0 not found, -1 error.
 *--*/

#include <stdint.h>
#include "cm_error.h"

/* Schema version this build writes and understands. */
#define CM_STORE_SCHEMA_VERSION 1

struct cm_store;

struct cm_store_options {
	const char *path;	/* database file; required */
	int read_only;		/* open without writing; no migration */
	int in_memory;		/* load into RAM, write back with cm_store_sync */
	int busy_timeout_ms;	/* 0 = default (5000) */
};

int cm_store_open(const struct cm_store_options *opts,
		  struct cm_store **store_r, struct cm_error *err);
/* In in-memory mode this does NOT sync: call cm_store_sync() first. */
void cm_store_close(struct cm_store **store);

int cm_store_schema_version(struct cm_store *store, int *version_r,
			    struct cm_error *err);
int cm_store_is_in_memory(const struct cm_store *store);
const char *cm_store_path(const struct cm_store *store);

/* BEGIN IMMEDIATE; holds the store lock until commit or rollback. */
int cm_store_begin(struct cm_store *store, struct cm_error *err);
int cm_store_commit(struct cm_store *store, struct cm_error *err);
/* Never fails from the caller's point of view; always releases the lock. */
void cm_store_rollback(struct cm_store *store);

/* In-memory mode: atomic snapshot to the disk file (VACUUM INTO a temp
   file, fsync, rename, fsync the directory). Writers wait meanwhile. On
   failure the previous disk file is left intact and the temp file removed.
   On a disk-backed store it is a WAL checkpoint. */
int cm_store_sync(struct cm_store *store, struct cm_error *err);

/* "PRAGMA integrity_check" and "PRAGMA foreign_key_check": 0 when both
   are clean, -1 with the first problem in *err. */
int cm_store_check(struct cm_store *store, struct cm_error *err);

/* Current unix time, or the value fixed with cm_store_set_clock() (for
   tests); used for created_at and expiry. */
int64_t cm_store_now(const struct cm_store *store);
void cm_store_set_clock(struct cm_store *store, int64_t fixed_now);

#endif
