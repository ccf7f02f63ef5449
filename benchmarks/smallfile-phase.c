// One phase of ../shared/anchors/smallfiles at a time, so each can be traced on its own:
//   smallfile-phase DIR COUNT c|s|r|u|d   (create+write 4 KiB+close, stat, open+read+close, unlink)
// d is c with an fdatasync before the close: what any filesystem must do to keep a closed file through a power
// cut, as a close on ugloo does on its own (benchmarks/durable-creates.sh compares the two).
// Prints "PHASE RATE/s". Files are DIR/f000000 ... as smallfiles names them.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: smallfile-phase DIR COUNT c|s|r|u|d\n");
        return 2;
    }
    int count = atoi(argv[2]);
    char phase = argv[3][0], buffer[4096], path[4200];
    memset(buffer, 0xA5, sizeof buffer);
    mkdir(argv[1], 0755);
    struct stat st;
    double t0 = now();
    for (int i = 0; i < count; i++) {
        snprintf(path, sizeof path, "%s/f%06d", argv[1], i);
        int ok = 1;
        if (phase == 'c' || phase == 'd') {
            int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
            ok = fd >= 0 && write(fd, buffer, sizeof buffer) == sizeof buffer
                && (phase == 'c' || fdatasync(fd) == 0) && close(fd) == 0;
        } else if (phase == 's') {
            ok = stat(path, &st) == 0;
        } else if (phase == 'r') {
            int fd = open(path, O_RDONLY);
            ok = fd >= 0 && read(fd, buffer, sizeof buffer) == sizeof buffer && close(fd) == 0;
        } else if (phase == 'u') {
            ok = unlink(path) == 0;
        }
        if (!ok) {
            perror(path);
            return 1;
        }
    }
    printf("%c %.0f/s\n", phase, count / (now() - t0));
    return 0;
}
