/*
 * cmdline_environ — the command line, environment and auxiliary vector are where they were.
 *
 * /proc/PID/cmdline and /proc/PID/environ are read from the process's own memory, between
 * addresses the kernel keeps in its mm (arg_start/arg_end, env_start/env_end); the auxiliary
 * vector is a copy the kernel keeps (saved_auxv). A restore has to put all of these back, not
 * just the memory, or tools like ps show another process. Before the checkpoint the root
 * rewrites its argv[0] in place (as setproctitle does; same length, so cmdline follows) and
 * records cmdline, environ, auxv, /proc/self/exe and the mm fields of /proc/self/stat
 * (start_code, end_code, start_stack, start_data, end_data, start_brk, arg_start, arg_end,
 * env_start, env_end). After SIGTERM every one of them must be the same, byte for byte.
 */
#include "../lib/zdtm.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_TEXT 65536
#define MM_FIELDS 10

struct snapshot {
    char cmdline[MAX_TEXT], environ[MAX_TEXT], auxv[4096], exe[4096];
    ssize_t cmdline_len, environ_len, auxv_len;
    unsigned long mm[MM_FIELDS];
};

static const int s_mm_field_numbers[MM_FIELDS] = {26, 27, 28, 45, 46, 47, 48, 49, 50, 51};
static const char *const s_mm_field_names[MM_FIELDS] = {
    "start_code", "end_code", "start_stack", "start_data", "end_data",
    "start_brk", "arg_start", "arg_end", "env_start", "env_end",
};

static ssize_t slurp(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    ssize_t total = 0, n;
    while ((size_t)total < size && (n = read(fd, buf + total, size - (size_t)total)) > 0) {
        total += n;
    }
    close(fd);
    return total;
}

static void take(struct snapshot *s)
{
    s->cmdline_len = slurp("/proc/self/cmdline", s->cmdline, sizeof(s->cmdline));
    s->environ_len = slurp("/proc/self/environ", s->environ, sizeof(s->environ));
    s->auxv_len = slurp("/proc/self/auxv", s->auxv, sizeof(s->auxv));
    ssize_t n = readlink("/proc/self/exe", s->exe, sizeof(s->exe) - 1);
    s->exe[n > 0 ? n : 0] = '\0';
    char stat[2048];
    ssize_t len = slurp("/proc/self/stat", stat, sizeof(stat) - 1);
    stat[len > 0 ? len : 0] = '\0';
    /* Fields counted from 1; the name (field 2) ends at the last ')'. */
    char *p = strrchr(stat, ')');
    int field = 2;
    memset(s->mm, 0, sizeof(s->mm));
    for (char *tok = p != NULL ? strtok(p + 1, " ") : NULL; tok != NULL;
         tok = strtok(NULL, " ")) {
        field++;
        for (int i = 0; i < MM_FIELDS; i++) {
            if (s_mm_field_numbers[i] == field) {
                sscanf(tok, "%lu", &s->mm[i]);
            }
        }
    }
}

static int first_difference(const char *a, const char *b, ssize_t len)
{
    for (ssize_t i = 0; i < len; i++) {
        if (a[i] != b[i]) {
            return (int)i;
        }
    }
    return -1;
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    /* Same length: the kernel shows the bytes between arg_start and arg_end. */
    size_t len = strlen(argv[0]);
    for (size_t i = 0; i < len; i++) {
        argv[0][i] = "renamed-"[i % 8];
    }
    test_daemon();
    static struct snapshot before, after;
    take(&before);
    if (before.cmdline_len <= 0 || before.environ_len <= 0 || before.auxv_len <= 0 ||
        strncmp(before.cmdline, "renamed-", len < 8 ? len : 8) != 0) {
        fail("reading /proc/self before the checkpoint: cmdline %zd bytes (\"%.20s\"), environ "
             "%zd, auxv %zd", before.cmdline_len, before.cmdline, before.environ_len,
             before.auxv_len);
    }

    test_waitsig();

    take(&after);
    const struct {
        const char *name;
        const char *a, *b;
        ssize_t len_a, len_b;
    } texts[] = {
        {"cmdline", before.cmdline, after.cmdline, before.cmdline_len, after.cmdline_len},
        {"environ", before.environ, after.environ, before.environ_len, after.environ_len},
        {"auxv", before.auxv, after.auxv, before.auxv_len, after.auxv_len},
    };
    for (int i = 0; i < 3; i++) {
        int at = texts[i].len_a == texts[i].len_b
                     ? first_difference(texts[i].a, texts[i].b, texts[i].len_a) : 0;
        if (texts[i].len_a != texts[i].len_b || at >= 0) {
            fail("/proc/self/%s: %zd bytes, were %zd; first difference at byte %d",
                 texts[i].name, texts[i].len_b, texts[i].len_a, at);
        }
    }
    if (strcmp(before.exe, after.exe) != 0) {
        fail("/proc/self/exe is %s, was %s", after.exe, before.exe);
    }
    for (int i = 0; i < MM_FIELDS; i++) {
        if (before.mm[i] != after.mm[i]) {
            fail("%s in /proc/self/stat is %#lx, was %#lx", s_mm_field_names[i], after.mm[i],
                 before.mm[i]);
        }
    }
    pass();
}
