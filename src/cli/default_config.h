/* SPDX-License-Identifier: Apache-2.0 */
/* The hardened config.json `cinch spec` writes (see docs/spec.md). */
#ifndef CINCH_CLI_DEFAULT_CONFIG_H
#define CINCH_CLI_DEFAULT_CONFIG_H

extern const char cli_default_config_json[];

#endif
