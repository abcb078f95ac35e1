/*
 * unlinked_file — a file deleted while open stays readable, and stays itself.
 *
 * After unlink() the file has no name; only the open descriptor keeps it. A restore cannot
 * reopen it by its path, so the dump has to keep its contents and the restore has to bring
 * back a nameless file with them. To catch a restore that reopens the path anyway, a new file
 * is created under the old name, with other contents. The root opens "victim" in the work
 * directory O_RDWR, writes three pages and a tail, leaves the position at 5000, unlinks it, and
 * creates the new "victim". After SIGTERM: fstat() on the descriptor says no links and the old
 * size, /proc/self/fd shows the old name marked "(deleted)", the position is 5000, every byte
 * reads back, the new file still has its own contents, and the deleted file can still be
 * written and read at its end.
 */
#include "../lib/zdtm.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIZE (3 * 4096 + 123)
#define POSITION 5000
#define NEW_TEXT "a new file under the old name\n"

static char old_byte(size_t i)
{
    return (char)(i * 7 + i / 4096);
}

int main(int argc, char **argv)
{
    test_init(argc, argv);
    test_daemon();

    char path[4200];
    snprintf(path, sizeof(path), "%s/victim", test_workdir());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        fail("open %s: %m", path);
    }
    static char data[SIZE];
    for (size_t i = 0; i < SIZE; i++) {
        data[i] = old_byte(i);
    }
    if (write(fd, data, SIZE) != SIZE || lseek(fd, POSITION, SEEK_SET) != POSITION ||
        unlink(path) < 0) {
        fail("writing or unlinking %s: %m", path);
    }
    int fresh = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fresh < 0 || write(fresh, NEW_TEXT, strlen(NEW_TEXT)) != (ssize_t)strlen(NEW_TEXT)) {
        fail("creating the new %s: %m", path);
    }
    close(fresh);

    test_waitsig();

    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_nlink != 0 || st.st_size != SIZE) {
        fail("fstat of the deleted file: %lu links, %ld bytes; expected 0 and %d",
             (unsigned long)st.st_nlink, (long)st.st_size, SIZE);
    }
    char link[64], target[4300] = "", expected[4300];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof(target) - 1);
    target[n > 0 ? n : 0] = '\0';
    snprintf(expected, sizeof(expected), "%s (deleted)", path);
    if (strcmp(target, expected) != 0) {
        fail("fd %d leads to \"%s\", expected \"%s\"", fd, target, expected);
    }
    off_t position = lseek(fd, 0, SEEK_CUR);
    if (position != POSITION) {
        fail("the deleted file's position is %ld, expected %d", (long)position, POSITION);
    }
    static char back[SIZE];
    if (pread(fd, back, SIZE, 0) != SIZE) {
        fail("reading the deleted file: %m");
    }
    for (size_t i = 0; i < SIZE; i++) {
        if (back[i] != old_byte(i)) {
            fail("byte %zu of the deleted file is %d, expected %d", i, back[i], old_byte(i));
        }
    }
    char text[128] = "";
    fresh = open(path, O_RDONLY);
    n = fresh >= 0 ? read(fresh, text, sizeof(text) - 1) : -1;
    text[n > 0 ? n : 0] = '\0';
    if (strcmp(text, NEW_TEXT) != 0) {
        fail("the new file under the old name holds \"%s\"", text);
    }
    close(fresh);
    char tail[8] = "", more[] = "more";
    if (pwrite(fd, more, 4, SIZE) != 4 || pread(fd, tail, 4, SIZE) != 4 ||
        memcmp(tail, more, 4) != 0) {
        fail("writing and reading at the end of the deleted file: %m");
    }
    pass();
}
