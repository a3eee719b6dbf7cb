/*
 * A minimal test harness for the C tests of vpnha: CHECK macros that count and report
 * failures with file and line, and a summary line "NAME: N passed, N failed"; and the
 * fixtures the tests share: reading a file, parsing an example topology.
 *
 * SPDX-License-Identifier: MIT OR Apache-2.0
 */
#ifndef VPNHA_TEST_CHECK_H
#define VPNHA_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vpnha.h"

static unsigned long check_passed;
static unsigned long check_failed;
static const char *check_current = "";

/* Records one check; prints the failing expression with its place. */
#define CHECK(cond)                                                                         \
    do {                                                                                    \
        if (cond) {                                                                         \
            check_passed++;                                                                 \
        } else {                                                                            \
            check_failed++;                                                                 \
            fprintf(stderr, "%s:%d: [%s] check failed: %s\n", __FILE__, __LINE__,            \
                    check_current, #cond);                                                  \
        }                                                                                   \
    } while (0)

/* Checks that a call returns the expected status; prints both when it does not. */
#define CHECK_STATUS(call, expected)                                                        \
    do {                                                                                    \
        vpnha_status check_got_ = (call);                                                   \
        vpnha_status check_want_ = (expected);                                              \
        if (check_got_ == check_want_) {                                                    \
            check_passed++;                                                                 \
        } else {                                                                            \
            check_failed++;                                                                 \
            fprintf(stderr, "%s:%d: [%s] %s gave %u (%s), expected %u (%s)\n", __FILE__,     \
                    __LINE__, check_current, #call, (unsigned)check_got_,                   \
                    vpnha_status_message(check_got_), (unsigned)check_want_,                \
                    vpnha_status_message(check_want_));                                     \
        }                                                                                   \
    } while (0)

/* Stops the program: for setup that later checks cannot do without. */
#define REQUIRE(cond)                                                                       \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            fprintf(stderr, "%s:%d: [%s] required: %s\n", __FILE__, __LINE__, check_current, \
                    #cond);                                                                 \
            exit(2);                                                                        \
        }                                                                                   \
    } while (0)

/* Runs one test function, naming it in failure messages. */
#define RUN(test)                                                                           \
    do {                                                                                    \
        unsigned long check_before_ = check_failed;                                         \
        clock_t check_start_ = clock();                                                     \
        check_current = #test;                                                              \
        test();                                                                             \
        printf("%s %s (%.0f ms)\n", check_failed == check_before_ ? "ok  " : "FAIL", #test,  \
               1000.0 * (double)(clock() - check_start_) / CLOCKS_PER_SEC);                 \
    } while (0)

/* Prints the summary line and gives the exit code: 0 when every check passed. */
static inline int check_summary(const char *name) {
    printf("%s: %lu passed, %lu failed\n", name, check_passed, check_failed);
    return check_failed == 0 ? 0 : 1;
}

/* Reads a whole file into a NUL-terminated heap buffer; its length into *len. */
static inline char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1) {
            break;
        }
        char *bigger = realloc(buf, cap * 2);
        if (bigger == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    fclose(f);
    if (buf != NULL) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

/* Reads examples/NAME.yaml under ROOT, the repository root a test program is given; stops the
 * program when it cannot. */
static inline char *read_example(const char *root, const char *name, size_t *len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/examples/%s.yaml", root, name);
    char *text = read_file(path, len);
    if (text == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
    }
    REQUIRE(text != NULL);
    return text;
}

/* Parses a topology; on failure prints the reason and gives NULL. */
static inline vpnha_topology *parse_text(const char *text, size_t len, vpnha_format format) {
    vpnha_topology *t = NULL;
    char err[512];
    vpnha_status s = vpnha_topology_parse(text, len, format, &t, err, sizeof err, NULL);
    if (s != VPNHA_OK) {
        fprintf(stderr, "parse failed (%s): %s\n", vpnha_status_message(s), err);
        return NULL;
    }
    return t;
}

/* Parses examples/NAME.yaml under ROOT; NULL (the reason printed) when it does not parse. */
static inline vpnha_topology *parse_example(const char *root, const char *name) {
    size_t len = 0;
    char *text = read_example(root, name, &len);
    vpnha_topology *t = parse_text(text, len, VPNHA_FORMAT_YAML);
    free(text);
    return t;
}

#endif /* VPNHA_TEST_CHECK_H */
