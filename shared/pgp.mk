## shared/pgp.mk - the encryption gate checker (cm_pgp), its tests, fuzzer
## and bench/pgp; see issue #4.
