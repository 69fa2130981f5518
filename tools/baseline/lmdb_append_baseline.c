/*
 * The raw LMDB baseline for the core.append.batch1000 benchmark: the same number of events
 * of the same size, in the same batches, appended durably with MDB_APPEND to one table keyed
 * by a big-endian position, with no indexes and no hashing. ContactLedger's full append path
 * is measured against it in the same run (tools/bench core).
 *
 * Build: cc -O2 -o lmdb_append_baseline lmdb_append_baseline.c -llmdb
 * Run:   lmdb_append_baseline DIR [EVENTS] [BATCH] [BYTES]   -> prints events/s
 */
#include <lmdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void die(const char *what, int rc) {
    fprintf(stderr, "%s: %s\n", what, mdb_strerror(rc));
    exit(1);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR [EVENTS] [BATCH] [BYTES]\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    long events = argc > 2 ? atol(argv[2]) : 1000000;
    long batch = argc > 3 ? atol(argv[3]) : 1000;
    long bytes = argc > 4 ? atol(argv[4]) : 200;
    mkdir(dir, 0755);

    MDB_env *env;
    int rc;
    if ((rc = mdb_env_create(&env))) die("mdb_env_create", rc);
    mdb_env_set_mapsize(env, (size_t)8 << 30);
    mdb_env_set_maxdbs(env, 4);
    if ((rc = mdb_env_open(env, dir, MDB_NOTLS, 0644))) die("mdb_env_open", rc);

    unsigned char *value = malloc(bytes);
    for (long i = 0; i < bytes; i++) value[i] = (unsigned char)(i * 31 + 7);

    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    uint64_t position = 0;
    for (long done = 0; done < events; done += batch) {
        MDB_txn *txn;
        MDB_dbi dbi;
        MDB_cursor *cursor;
        if ((rc = mdb_txn_begin(env, NULL, 0, &txn))) die("mdb_txn_begin", rc);
        if ((rc = mdb_dbi_open(txn, "log", MDB_CREATE, &dbi))) die("mdb_dbi_open", rc);
        if ((rc = mdb_cursor_open(txn, dbi, &cursor))) die("mdb_cursor_open", rc);
        for (long i = 0; i < batch && done + i < events; i++) {
            position++;
            uint64_t key = __builtin_bswap64(position);
            memcpy(value, &position, sizeof position);
            MDB_val k = {sizeof key, &key}, v = {(size_t)bytes, value};
            if ((rc = mdb_cursor_put(cursor, &k, &v, MDB_APPEND))) die("mdb_cursor_put", rc);
        }
        mdb_cursor_close(cursor);
        if ((rc = mdb_txn_commit(txn))) die("mdb_txn_commit", rc);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
    printf("%.0f\n", (double)events / seconds);
    mdb_env_close(env);
    free(value);
    return 0;
}
