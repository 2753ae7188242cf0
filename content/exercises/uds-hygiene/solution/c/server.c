/*
 * uds-hygiene, reference solution: a Unix stream echo server that cleans up after itself.
 * A stale socket file (connect refused) is replaced, a live one (connect succeeds) is left alone,
 * the socket gets mode 0660, every client is served at once (a thread each), and SIGINT/SIGTERM
 * remove the socket file.
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -pthread -o server server.c
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stopping = 0;

static void on_signal(int sig) {
    (void)sig;
    stopping = 1;
}

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

/* MSG_NOSIGNAL: a client that left gives EPIPE here instead of killing the server with SIGPIPE. */
static int send_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static void *echo(void *arg) {
    int fd = (int)(long)arg;
    char buf[8192];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || send_all(fd, buf, (size_t)n) < 0) break; /* send what was read, not sizeof buf */
    }
    close(fd);
    return NULL;
}

/* Whether to retry a failed accept(): a signal, or a client that gave up while it waited; out of
 * descriptors or memory, after a pause of 5 ms doubling up to 1 s, so the loop does not spin. */
static int retry_accept(int err, long *delay_ms) {
    switch (err) {
    case EINTR: case ECONNABORTED:
        return 1;
    case EMFILE: case ENFILE: case ENOBUFS: case ENOMEM: {
        *delay_ms = *delay_ms == 0 ? 5 : *delay_ms >= 500 ? 1000 : *delay_ms * 2;
        fprintf(stderr, "accept failed: %s; retrying in %ld ms\n", strerror(err), *delay_ms);
        struct timespec pause = {.tv_sec = *delay_ms / 1000, .tv_nsec = *delay_ms % 1000 * 1000000};
        nanosleep(&pause, NULL);
        return 1;
    }
    default:
        return 0;
    }
}

/* Block SIGINT/SIGTERM in the new thread: only the main thread's accept() must see them. */
static int start_worker(int fd) {
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_t tid;
    int err = pthread_sigmask(SIG_BLOCK, &block, &old);
    if (err == 0) {
        err = pthread_create(&tid, NULL, echo, (void *)(long)fd);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    if (err == 0) err = pthread_detach(tid);
    return err;
}

/* Remove the file only when it is a socket nobody listens on (connect refused). */
static void remove_stale(const struct sockaddr_un *addr) {
    struct stat st;
    if (lstat(addr->sun_path, &st) < 0) {
        if (errno == ENOENT) return;
        die("lstat");
    }
    if (!S_ISSOCK(st.st_mode)) {
        fprintf(stderr, "%s exists and is not a socket; not removing it\n", addr->sun_path);
        exit(1);
    }
    int probe = socket(AF_UNIX, SOCK_STREAM, 0);
    if (probe < 0) die("socket");
    int rc = connect(probe, (const struct sockaddr *)addr, sizeof *addr);
    int err = errno;
    close(probe);
    if (rc == 0) {
        fprintf(stderr, "another server is already listening on %s\n", addr->sun_path);
        exit(1);
    }
    if (err != ECONNREFUSED) {
        errno = err;
        die("connect (checking the old socket file)");
    }
    if (unlink(addr->sun_path) < 0) die("unlink");
    printf("removed stale socket file %s\n", addr->sun_path);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 2) {
        fprintf(stderr, "usage: %s SOCKET\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof addr.sun_path) {
        fprintf(stderr, "socket path too long (max %zu bytes)\n", sizeof addr.sun_path - 1);
        return 2;
    }
    strcpy(addr.sun_path, path);

    struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: accept() returns EINTR */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0) die("sigaction");

    remove_stale(&addr);
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lfd < 0) die("socket");
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    if (chmod(path, 0660) < 0) { perror("chmod"); unlink(path); return 1; }
    if (listen(lfd, SOMAXCONN) < 0) { perror("listen"); unlink(path); return 1; }
    printf("listening on %s\n", path);

    long delay_ms = 0;
    while (!stopping) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (retry_accept(errno, &delay_ms)) continue;
            perror("accept");
            break;
        }
        delay_ms = 0;
        if (start_worker(fd) != 0) {
            fprintf(stderr, "cannot start a thread; closing that connection\n");
            close(fd);
        }
    }
    close(lfd);
    unlink(path); /* nothing removes the file for us */
    printf("shutting down\n");
    return stopping ? 0 : 1;
}
