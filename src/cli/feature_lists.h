/* SPDX-License-Identifier: Apache-2.0 */
/* What `cinch features` claims. Every list is checked against the module
 * that implements it by tests/unit/test_cli_features.c, so a claim cannot
 * outlive the code. */
#ifndef CINCH_CLI_FEATURE_LISTS_H
#define CINCH_CLI_FEATURE_LISTS_H

extern const char *const cli_features_mount_options[];
extern const char *const cli_features_seccomp_actions[];
extern const char *const cli_features_seccomp_operators[];
extern const char *const cli_features_seccomp_archs[];
extern const char *const cli_features_seccomp_flags[];

#endif
