/*
 * http-health starter: an HTTP/1.1 server on the Unix socket SOCKET, one request per connection.
 * GET /health -> 200, Content-Type: application/json, {"status":"ok"}; POST /echo -> 200 and the
 * request body; other paths -> 404; POST /health -> 405.
 * This one reads once and answers "ok" to everything. TODO: read the whole head (up to
 * "\r\n\r\n"), parse the method and path, read Content-Length bytes of body, and route.
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -pthread -o server server.c
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s SOCKET\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(argv[1]) >= sizeof addr.sun_path) {
        fprintf(stderr, "%s: path too long\n", argv[1]);
        return 2;
    }
    strcpy(addr.sun_path, argv[1]);
    unlink(argv[1]);
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lfd < 0) { perror("socket"); return 1; }
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }
    if (listen(lfd, 16) < 0) { perror("listen"); return 1; }
    printf("listening on %s\n", argv[1]);
    fflush(stdout);
    const char answer[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) continue;
        char buf[4096];
        if (read(fd, buf, sizeof buf) > 0) {
            if (write(fd, answer, sizeof answer - 1) < 0) perror("write");
        }
        close(fd);
    }
}
