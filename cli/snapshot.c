/* snapshot.c - the status snapshot of a running import, the runs
 * directory, and the figures derived from a snapshot. See snapshot.h. */
#define _GNU_SOURCE
#include "cli/snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/common.h"
#include "cli/deadrun.h"
#include "proto/err.h"
#include "proto/store.h"
#include "proto/topology.h"
#include "proto/util.h"

#define SNAP_MAGIC "KHSTATUS"
#define SNAP_VERSION 1u

/* The file: this header, then kh_runstate_t as this build lays it out. The
 * size check refuses a snapshot of a build with another layout. */
typedef struct {
    char magic[8];
    uint32_t version;
    uint32_t size;        /* sizeof(kh_runstate_t) */
    int32_t pid;
    int32_t pad;
    uint64_t pid_start;
} snap_header_t;

int64_t kh_snapshot_now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

const char *kh_snapshot_phase_name(int phase)
{
    static const char *const names[] = {"starting", "running", "committed", "failed"};
    return phase >= 0 && phase <= KH_RUN_FAILED ? names[phase] : "unknown";
}

/* ---- the snapshot file ---------------------------------------------------------- */

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int kh_snapshot_write(const char *store, const kh_runstate_t *s, int32_t pid, uint64_t pid_start)
{
    char path[4200], tmp[4240];
    snprintf(path, sizeof path, "%s/%s", store, KH_SNAPSHOT_FILE);
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)pid);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return -errno;
    snap_header_t h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, SNAP_MAGIC, sizeof h.magic);
    h.version = SNAP_VERSION;
    h.size = (uint32_t)sizeof *s;
    h.pid = pid;
    h.pid_start = pid_start;
    int rc = fchmod(fd, 0600) != 0 ? -errno : 0;
    if (!rc)
        rc = write_all(fd, &h, sizeof h);
    if (!rc)
        rc = write_all(fd, s, sizeof *s);
    if (close(fd) != 0 && !rc)
        rc = -errno;
    /* no fsync: the snapshot lives only as long as the run */
    if (!rc && rename(tmp, path) != 0)
        rc = -errno;
    if (rc)
        unlink(tmp);
    return rc;
}

int kh_snapshot_read(const char *store, kh_snapshot_t *out)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", store, KH_SNAPSHOT_FILE);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? KH_E_NOTFOUND : -errno;
    snap_header_t h;
    int rc = 0;
    ssize_t n = read(fd, &h, sizeof h);
    if (n != (ssize_t)sizeof h || memcmp(h.magic, SNAP_MAGIC, sizeof h.magic) != 0 ||
        h.version != SNAP_VERSION || h.size != sizeof out->state) {
        rc = n < 0 ? -errno : KH_E_DECODE;
    } else {
        size_t got = 0;
        char *p = (char *)&out->state;
        while (got < sizeof out->state) {
            n = read(fd, p + got, sizeof out->state - got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                rc = n < 0 ? -errno : KH_E_DECODE;
                break;
            }
            got += (size_t)n;
        }
    }
    close(fd);
    if (rc)
        return rc;
    out->pid = h.pid;
    out->pid_start = h.pid_start;
    /* never trust counts from a file: keep the arrays in bounds */
    kh_runstate_t *s = &out->state;
    if (s->nstages < 0 || s->nstages > KH_RUNSTATE_MAX_STAGES)
        return KH_E_DECODE;
    s->run[sizeof s->run - 1] = '\0';
    s->store[sizeof s->store - 1] = '\0';
    s->extracts[sizeof s->extracts - 1] = '\0';
    s->reason[sizeof s->reason - 1] = '\0';
    for (int i = 0; i < s->nstages; i++)
        s->stages[i].stage[sizeof s->stages[i].stage - 1] = '\0';
    return 0;
}

void kh_snapshot_remove(const char *store)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", store, KH_SNAPSHOT_FILE);
    unlink(path);
}

uint64_t kh_snapshot_proc_start(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    /* the command name may hold spaces and parentheses: fields follow the last ')' */
    char *p = strrchr(buf, ')');
    if (!p)
        return 0;
    p++;
    /* field 3 (state) is the first after ')'; starttime is field 22 */
    for (int field = 3; field < 22 && p; field++) {
        p = strchr(p + 1, ' ');
    }
    return p ? strtoull(p + 1, NULL, 10) : 0;
}

static int pid_alive(pid_t pid, uint64_t start)
{
    if (pid <= 0)
        return 0;
    if (kill(pid, 0) != 0 && errno != EPERM)
        return 0;
    /* a reused pid belongs to a process started at another time */
    uint64_t now_start = kh_snapshot_proc_start(pid);
    return !(start && now_start && start != now_start);
}

int kh_snapshot_alive(const kh_snapshot_t *snap)
{
    return pid_alive(snap->pid, snap->pid_start);
}

/* ---- the runs directory ----------------------------------------------------------- */

void kh_snapshot_runs_dir(char *out, size_t cap)
{
    const char *env = getenv("KOHORT_RUNS_DIR");
    if (env && *env)
        snprintf(out, cap, "%s", env);
    else
        snprintf(out, cap, "/tmp/kohort-runs-%u", (unsigned)getuid());
}

/* 0 when `dir` is a directory of this user that nobody else may write. */
static int private_dir(const char *dir, int create)
{
    if (create && mkdir(dir, 0700) != 0 && errno != EEXIST)
        return -errno;
    struct stat sb;
    if (lstat(dir, &sb) != 0)
        return -errno;
    if (!S_ISDIR(sb.st_mode) || sb.st_uid != getuid() || (sb.st_mode & 022))
        return -EPERM;
    return 0;
}

int kh_snapshot_register(const char *store, pid_t pid, char *why, size_t whycap)
{
    char dir[PATH_MAX], path[PATH_MAX + 32], tmp[PATH_MAX + 48], abs[PATH_MAX];
    kh_snapshot_runs_dir(dir, sizeof dir);
    int rc = private_dir(dir, 1);
    if (rc) {
        snprintf(why, whycap, "the runs directory %s is not a private directory of this user: %s",
                 dir, kh_strerror(rc));
        return rc;
    }
    if (!realpath(store, abs))
        snprintf(abs, sizeof abs, "%s", store);
    snprintf(path, sizeof path, "%s/%d", dir, (int)pid);
    snprintf(tmp, sizeof tmp, "%s/.%d.tmp", dir, (int)pid);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        rc = -errno;
        snprintf(why, whycap, "cannot write %s: %s", tmp, kh_strerror(rc));
        return rc;
    }
    size_t len = strlen(abs);
    abs[len] = '\n';
    rc = write_all(fd, abs, len + 1);
    if (close(fd) != 0 && !rc)
        rc = -errno;
    if (!rc && rename(tmp, path) != 0)
        rc = -errno;
    if (rc) {
        unlink(tmp);
        snprintf(why, whycap, "cannot write %s: %s", path, kh_strerror(rc));
    }
    return rc;
}

void kh_snapshot_unregister(pid_t pid)
{
    char dir[PATH_MAX], path[PATH_MAX + 32];
    kh_snapshot_runs_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/%d", dir, (int)pid);
    unlink(path);
}

/* A run whose supervisor is gone: recorded and cleared (cli/deadrun.h),
 * under the store's run lock so that no live run is judged. */
void kh_snapshot_recover(const char *store)
{
    int lock = kh_store_lock(store);
    if (lock < 0)
        return;
    char msg[KH_REASON_MAX];
    if (kh_deadrun_recover(store, msg, sizeof msg) != 0)
        fprintf(stderr, "kohort: %s\n", msg);
    close(lock);
}

int kh_snapshot_find(char *store, size_t cap, char *why, size_t whycap)
{
    char dir[PATH_MAX];
    kh_snapshot_runs_dir(dir, sizeof dir);
    if (private_dir(dir, 0) != 0)
        return 1;
    DIR *d = opendir(dir);
    if (!d)
        return 1;
    int found = 0;
    char first[PATH_MAX] = "";
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0 || end == e->d_name)
            continue;
        char path[PATH_MAX + 300], target[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "re");
        if (!f)
            continue;
        int ok = fgets(target, sizeof target, f) != NULL;
        fclose(f);
        target[strcspn(target, "\n")] = '\0';
        kh_snapshot_t *snap = kh_xmalloc(sizeof *snap);
        int live = ok && kh_snapshot_read(target, snap) == 0 && snap->pid == (int32_t)pid &&
                   kh_snapshot_alive(snap);
        free(snap);
        if (!live) {
            /* a run that died without cleaning up, or is just starting: only
             * a dead pid's pointer is removed */
            if (!pid_alive((pid_t)pid, 0)) {
                unlink(path);
                if (ok)
                    kh_snapshot_recover(target);
            }
            continue;
        }
        if (found++ == 0)
            snprintf(first, sizeof first, "%s", target);
        else if (found == 2)
            snprintf(why, whycap, "several imports are running (stores %s and %s); name one with --store",
                     first, target);
    }
    closedir(d);
    if (found > 1)
        return KH_E_USAGE;
    if (!found)
        return 1;
    snprintf(store, cap, "%s", first);
    return 0;
}

int kh_snapshot_resolve(const char *opt, char *out, size_t cap)
{
    opt = kh_cli_store(opt);
    if (opt) {
        snprintf(out, cap, "%s", opt);
        kh_store_t *store;
        int open_rc = kh_cli_open_store(opt, &store);
        if (open_rc)
            return open_rc == 2 ? 2 : -1;
        kh_store_close(&store);
        return 0;
    }
    char why[2 * PATH_MAX + 100];
    int rc = kh_snapshot_find(out, cap, why, sizeof why);
    if (rc == KH_E_USAGE)
        return kh_cli_usage(why);
    return rc;
}

/* ---- derived figures ------------------------------------------------------------- */

/* The chain whose queues the backlog measures is the stages from ingest to
 * link, in the order of the enum: each is fed by the one before it. */
_Static_assert(KH_STAGE_INGEST + 1 == KH_STAGE_VALIDATE && KH_STAGE_VALIDATE + 1 == KH_STAGE_ANONYMISE &&
                   KH_STAGE_ANONYMISE + 1 == KH_STAGE_LINK,
               "the backlog chain follows kh_stagekind_t");

/* Rows in (or out) of every process of `stage`, over all tables. */
static uint64_t stage_rows(const kh_runstate_t *s, kh_stagekind_t stage, int out)
{
    uint64_t sum = 0;
    for (int i = 0; i < s->nstages; i++) {
        if (kh_topology_stage(s->stages[i].stage) != (int)stage)
            continue;
        for (int t = 0; t < KH_TAB_COUNT; t++)
            sum += out ? s->stages[i].stats.tables[t].rows_out : s->stages[i].stats.tables[t].rows_in;
    }
    return sum;
}

int kh_snapshot_backlog(const kh_runstate_t *s, kh_stagekind_t stage, uint64_t *rows)
{
    if (stage <= KH_STAGE_INGEST || stage > KH_STAGE_LINK)
        return 0;
    uint64_t sent = stage_rows(s, stage - 1, 1), got = stage_rows(s, stage, 0);
    *rows = sent > got ? sent - got : 0;
    return 1;
}

void kh_snapshot_progress(const kh_runstate_t *s, int64_t now_ms, kh_snapshot_progress_t *p)
{
    memset(p, 0, sizeof *p);
    p->eta_s = -1;
    for (int i = 0; i < s->nstages; i++) {
        const kh_runstage_t *c = &s->stages[i];
        int kind = kh_topology_stage(c->stage);
        int ingest = kind == KH_STAGE_INGEST;
        int validate = kind == KH_STAGE_VALIDATE;
        int link = kind == KH_STAGE_LINK;
        for (int t = 0; t < KH_TAB_COUNT; t++) {
            const kh_tablestats_t *ts = &c->stats.tables[t];
            kh_snapshot_table_t *pt = &p->tables[t];
            if (ingest) {
                pt->bytes_read += ts->bytes_read;
                pt->rows_read += ts->rows_out;
            } else if (validate) {
                pt->rows_done += ts->rows_rejected;
            } else if (link) {
                pt->rows_done += ts->rows_in;
            }
        }
        if (ingest && c->last_seen_ms) {
            int64_t since = now_ms - (int64_t)c->last_seen_ms;
            p->elapsed_s = (double)c->stats.uptime_ns / 1e9 + (since > 0 ? (double)since / 1e3 : 0);
        }
    }
    double weighted = 0;
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        kh_snapshot_table_t *pt = &p->tables[t];
        pt->file_bytes = s->file_bytes[t];
        if (!pt->file_bytes)
            continue;
        if (s->phase == KH_RUN_COMMITTED) {
            /* the last stats may predate the end: a committed run read everything */
            pt->ratio = 1;
            pt->bytes_read = pt->file_bytes;
        } else {
            double bytes = (double)pt->bytes_read / (double)pt->file_bytes;
            double rows = pt->rows_read ? (double)pt->rows_done / (double)pt->rows_read : 0;
            pt->ratio = (bytes > 1 ? 1 : bytes) * (rows > 1 ? 1 : rows);
        }
        p->bytes_total += pt->file_bytes;
        p->bytes_read += pt->bytes_read < pt->file_bytes ? pt->bytes_read : pt->file_bytes;
        p->rows_read += pt->rows_read;
        p->rows_done += pt->rows_done;
        weighted += pt->ratio * (double)pt->file_bytes;
    }
    p->ratio = p->bytes_total ? weighted / (double)p->bytes_total : 0;
    if (s->phase == KH_RUN_COMMITTED)
        p->ratio = 1, p->eta_s = 0;
    else if (p->ratio >= 0.01 && p->elapsed_s > 0)
        p->eta_s = p->elapsed_s * (1 - p->ratio) / p->ratio;
}

int kh_snapshot_health(const kh_runstate_t *s, int64_t now_ms, char *why, size_t whycap)
{
    if (s->phase == KH_RUN_FAILED) {
        snprintf(why, whycap, "the run failed: %s", s->reason);
        return 0;
    }
    for (int i = 0; i < s->nstages; i++) {
        const kh_runstage_t *c = &s->stages[i];
        if (c->alive || (WIFEXITED(c->exit_status) && WEXITSTATUS(c->exit_status) == 0))
            continue;
        if (WIFSIGNALED(c->exit_status))
            snprintf(why, whycap, "stage %s.%d (pid %d) was killed by signal %d", c->stage,
                     c->worker, c->pid, WTERMSIG(c->exit_status));
        else
            snprintf(why, whycap, "stage %s.%d (pid %d) exited with status %d", c->stage,
                     c->worker, c->pid, WEXITSTATUS(c->exit_status));
        return 0;
    }
    int64_t quiet_ms = now_ms - s->last_progress_ms;
    if (s->phase != KH_RUN_COMMITTED && quiet_ms > (int64_t)s->stall_timeout_s * 500) {
        snprintf(why, whycap, "no stage made progress for %lld seconds (the run fails after %d)",
                 (long long)(quiet_ms / 1000), s->stall_timeout_s);
        return 0;
    }
    snprintf(why, whycap, "ok");
    return 1;
}
