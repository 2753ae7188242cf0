/*
 * uds-abstract, mutant (one client at a time, 1024-byte lines): a line server on the abstract Unix socket @NAME.
 * "PING" -> "PONG", anything else -> "ERR unknown command". Abstract names live in the network
 * namespace, not the filesystem: nothing to unlink, nothing left behind.
 */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s NAME\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    size_t len = strlen(argv[1]);
    if (len + 1 > sizeof addr.sun_path) {
        fprintf(stderr, "name too long\n");
        return 2;
    }
    addr.sun_path[0] = '\0'; /* abstract: a NUL byte, then the name, no terminator */
    memcpy(addr.sun_path + 1, argv[1], len);
    socklen_t addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lfd < 0) { perror("socket"); return 1; }
    if (bind(lfd, (struct sockaddr *)&addr, addrlen) < 0) { perror("bind"); return 1; }
    if (listen(lfd, 16) < 0) { perror("listen"); return 1; }
    printf("listening on @%s\n", argv[1]);
    fflush(stdout);
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) continue;
        FILE *in = fdopen(fd, "r");
        FILE *out = fdopen(dup(fd), "w");
        if (!in || !out) {
            if (in) fclose(in); else close(fd);
            if (out) fclose(out);
            continue;
        }
        char line[1024];
        while (fgets(line, sizeof line, in)) {
            line[strcspn(line, "\r\n")] = '\0';
            fputs(strcmp(line, "PING") == 0 ? "PONG\n" : "ERR unknown command\n", out);
            if (fflush(out) != 0) break;
        }
        fclose(in);
        fclose(out);
    }
}
