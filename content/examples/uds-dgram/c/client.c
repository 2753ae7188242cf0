/*
 * Unix datagram client: binds its own socket file first, so the server has an address to answer.
 *
 * Shows: mkdtemp() for a private directory (tmpnam() names a file someone else may create first;
 * the linker warns about it for that reason), bind() to <dir>/client.sock, sendto() the server,
 * waiting at most 1 s for the reply with poll(), matching each reply to its request (after a
 * timeout the late reply arrives while we wait for the next one), and removing our socket file
 * and directory at the end or on Ctrl-C.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o client client.c
 * Run:   ./client /tmp/socketlab-uds-dgram.sock    (type lines; Ctrl-D to finish)
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_MESSAGE 65536
#define TIMEOUT_MS 1000

static char dir[] = "/tmp/socketlab-client-XXXXXX";
static char self_path[sizeof dir + sizeof "/client.sock"];

static void clean_up(void) {
    unlink(self_path);
    rmdir(dir);
}

static void on_signal(int sig) {
    (void)sig;
    clean_up(); /* unlink and rmdir are async-signal-safe */
    _exit(0);
}

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    clean_up();
    exit(1);
}

static socklen_t unix_address(struct sockaddr_un *addr, const char *path) {
    size_t len = strlen(path);
    if (len >= sizeof addr->sun_path) {
        fprintf(stderr, "socket path too long (%zu bytes, max %zu)\n", len, sizeof addr->sun_path - 1);
        clean_up();
        exit(2);
    }
    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    memcpy(addr->sun_path, path, len + 1);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* monotonic: immune to the wall clock being changed */
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static char reply[MAX_MESSAGE + 8];

/* Waits up to TIMEOUT_MS for the datagram "echo: <line>". Returns its length, 0 on timeout, or -1
 * with errno set. Anything else is a late reply to an earlier line that timed out: skip it. */
static ssize_t await_echo(int fd, const char *line, size_t len) {
    long long deadline = now_ms() + TIMEOUT_MS;
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) return 0;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ready = poll(&p, 1, (int)left);
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return ready;
        ssize_t n = recv(fd, reply, sizeof reply, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if ((size_t)n == len + 6 && memcmp(reply, "echo: ", 6) == 0 && memcmp(reply + 6, line, len) == 0)
            return n;
    }
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 2) {
        fprintf(stderr, "usage: client [server-socket-path]\n");
        return 2;
    }
    const char *server_path = argc == 2 ? argv[1] : "/tmp/socketlab-uds-dgram.sock";

    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "mkdtemp failed: %s\n", strerror(errno));
        return 1;
    }
    snprintf(self_path, sizeof self_path, "%s/client.sock", dir);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) die("sigaction");

    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (fd < 0) die("socket");
    struct sockaddr_un self, server;
    socklen_t self_len = unix_address(&self, self_path);
    socklen_t server_len = unix_address(&server, server_path);
    /* Without this bind, our datagrams carry no return address and the server cannot reply. */
    if (bind(fd, (struct sockaddr *)&self, self_len) < 0) die("bind");
    printf("bound to %s\n", self_path);

    char *line = NULL; /* getline() grows it to fit: a long line is still one datagram */
    size_t cap = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, stdin)) >= 0) {
        size_t len = (size_t)got; /* the datagram is the line without its newline */
        if (len > 0 && line[len - 1] == '\n') len--;
        if (len > 0 && line[len - 1] == '\r') len--;
        if (sendto(fd, line, len, 0, (struct sockaddr *)&server, server_len) < 0) {
            /* ENOENT: no such file; ECONNREFUSED: a file with nobody bound to it. */
            fprintf(stderr, "sendto %s failed: %s\n", server_path, strerror(errno));
            continue;
        }
        ssize_t n = await_echo(fd, line, len);
        if (n < 0) die("recv");
        if (n == 0) {
            fprintf(stderr, "no reply within 1 s\n");
            continue;
        }
        printf("%.*s\n", (int)n, reply); /* print exactly the n bytes received */
    }
    if (ferror(stdin)) die("reading stdin");
    free(line);
    close(fd);
    clean_up();
    return 0;
}
