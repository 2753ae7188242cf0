/*
 * Short writes, shown: send() returns fewer bytes than it was asked to send.
 *
 * A blocking send() on Linux waits until the kernel has taken every byte, however often the send
 * buffer fills up: shown first, with a reader that keeps reading. It stops early, with a short
 * count, in three cases, each shown on a loopback TCP connection whose reader never reads: a
 * non-blocking send, a send timeout (SO_SNDTIMEO), and a signal that interrupts a blocking send
 * after some bytes went out.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o short-write short-write.c
 * Run:   ./short-write
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define ASKED (16 * 1024 * 1024) /* more than the two sockets' buffers can hold */

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

/* A loopback TCP connection: *writer is the client's end, *reader the accepted one. */
static void connect_pair(int *writer, int *reader) {
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0) die("socket");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 1) < 0 ||
        getsockname(lfd, (struct sockaddr *)&addr, &len) < 0)
        die("listen");
    *writer = socket(AF_INET, SOCK_STREAM, 0);
    if (*writer < 0 || connect(*writer, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
    *reader = accept(lfd, NULL, NULL);
    if (*reader < 0) die("accept");
    close(lfd);
}

static void on_alarm(int sig) { (void)sig; }

static void report(const char *how, ssize_t sent) {
    if (sent < 0) die(how);
    printf("%s: send() took %zd of %d bytes: %s\n", how, sent, ASKED, sent < ASKED ? "a short write" : "all of it");
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    static char data[ASKED];
    int writer, reader;

    /* 0. Blocking, with a reader (a child process) that reads everything: no short write. */
    connect_pair(&writer, &reader);
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        close(writer);
        static char sink[65536];
        while (read(reader, sink, sizeof sink) > 0) {}
        _exit(0);
    }
    close(reader);
    report("blocking, the peer reading", send(writer, data, ASKED, 0));
    close(writer);
    if (waitpid(child, NULL, 0) < 0) die("waitpid");

    /* 1. Non-blocking: take what fits in the send buffer now, return at once. */
    connect_pair(&writer, &reader);
    report("non-blocking (MSG_DONTWAIT)", send(writer, data, ASKED, MSG_DONTWAIT));
    close(writer);
    close(reader);

    /* 2. A send timeout: a blocking send() gives up after 200 ms and returns what it sent. */
    connect_pair(&writer, &reader);
    struct timeval timeout = {.tv_usec = 200 * 1000};
    if (setsockopt(writer, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout) < 0) die("setsockopt");
    report("blocking, SO_SNDTIMEO 200 ms", send(writer, data, ASKED, 0));
    close(writer);
    close(reader);

    /* 3. A signal: without SA_RESTART, SIGALRM ends the blocked send() with the count so far
     * (it would fail with EINTR only if nothing had been sent yet). */
    struct sigaction sa = {.sa_handler = on_alarm};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGALRM, &sa, NULL) < 0) die("sigaction");
    connect_pair(&writer, &reader);
    struct itimerval in_200ms = {.it_value = {.tv_usec = 200 * 1000}};
    if (setitimer(ITIMER_REAL, &in_200ms, NULL) < 0) die("setitimer");
    report("blocking, interrupted by a signal", send(writer, data, ASKED, 0));
    close(writer);
    close(reader);
    return 0;
}
