/*
 * The golden vectors of ECMP flow selection (testdata/ecmp_vectors.json, read by the Rust
 * and Python tests too) through the C API: every case's group is built as the schema in
 * testdata/README.md says, and its hash and tunnel for every flow must be the file's, by
 * vpnha_ecmp_group_hash, vpnha_ecmp_group_select and vpnha_ecmp_group_select_many.
 *
 * Usage: test_vectors REPO_ROOT
 *
 * SPDX-License-Identifier: MIT OR Apache-2.0
 */
#include <inttypes.h>

#include "check.h"
#include "json.h"

/* Groups are large: static storage, as firmware would have it. */
static vpnha_ecmp_group group;

static bool hex_bytes(const char *hex, uint8_t *out, size_t n) {
    if (hex == NULL || strlen(hex) != 2 * n) return false;
    for (size_t i = 0; i < n; i++) {
        int hi = json_hex(hex[2 * i]), lo = json_hex(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = (uint8_t)(hi * 16 + lo);
    }
    return true;
}

static bool hex_u64(const json_value *v, uint64_t *out) {
    if (v == NULL || v->type != JSON_STRING || strncmp(v->string, "0x", 2) != 0) return false;
    char *end;
    *out = strtoull(v->string + 2, &end, 16);
    return *end == '\0' && end != v->string + 2;
}

static bool number(const json_value *v, double *out) {
    if (v == NULL || v->type != JSON_NUMBER) return false;
    *out = v->number;
    return true;
}

static bool read_flow(const json_value *f, vpnha_flow_key *key) {
    double family, protocol, sport, dport, label;
    const json_value *src = json_get(f, "src_bytes"), *dst = json_get(f, "dst_bytes");
    memset(key, 0, sizeof *key);
    return number(json_get(f, "family"), &family) && number(json_get(f, "protocol"), &protocol) &&
           number(json_get(f, "src_port"), &sport) && number(json_get(f, "dst_port"), &dport) &&
           number(json_get(f, "flow_label"), &label) && src != NULL && dst != NULL &&
           src->type == JSON_STRING && dst->type == JSON_STRING &&
           hex_bytes(src->string, key->src, 16) && hex_bytes(dst->string, key->dst, 16) &&
           (key->family = (uint8_t)family, key->protocol = (uint8_t)protocol,
            key->src_port = (uint16_t)sport, key->dst_port = (uint16_t)dport,
            key->flow_label = (uint32_t)label, true);
}

static size_t cases_run;
static size_t answers_checked;

static void run_case(const json_value *c, const vpnha_flow_key *keys, size_t nflows) {
    const json_value *name = json_get(c, "name");
    check_current = name != NULL && name->type == JSON_STRING ? name->string : "?";
    double algorithm, count, fields;
    uint64_t seed;
    const json_value *sym = json_get(c, "symmetric"), *weights = json_get(c, "weights"),
                     *up = json_get(c, "up"), *hashes = json_get(c, "hash"),
                     *tunnels = json_get(c, "tunnel");
    REQUIRE(number(json_get(c, "algorithm_id"), &algorithm));
    REQUIRE(number(json_get(c, "tunnel_count"), &count));
    REQUIRE(number(json_get(c, "fields"), &fields));
    REQUIRE(hex_u64(json_get(c, "seed"), &seed));
    REQUIRE(sym != NULL && sym->type == JSON_BOOL);
    REQUIRE(weights != NULL && weights->type == JSON_ARRAY && weights->len == (size_t)count);
    REQUIRE(up != NULL && up->type == JSON_ARRAY && up->len == (size_t)count);
    REQUIRE(hashes != NULL && hashes->len == nflows && tunnels != NULL && tunnels->len == nflows);

    CHECK_STATUS(vpnha_ecmp_group_init((size_t)count, (vpnha_algorithm)algorithm, seed, &group),
                 VPNHA_OK);
    uint32_t w[VPNHA_MAX_TUNNELS];
    for (size_t i = 0; i < weights->len; i++) w[i] = (uint32_t)weights->items[i].number;
    CHECK_STATUS(vpnha_ecmp_group_set_weights(&group, w, weights->len), VPNHA_OK);
    CHECK_STATUS(vpnha_ecmp_group_set_fields(&group, (uint32_t)fields), VPNHA_OK);
    CHECK_STATUS(vpnha_ecmp_group_set_symmetric(&group, sym->boolean), VPNHA_OK);
    for (size_t i = 0; i < up->len; i++) {
        if (!up->items[i].boolean) CHECK_STATUS(vpnha_ecmp_group_set_up(&group, i, false), VPNHA_OK);
    }

    uint16_t many[64];
    REQUIRE(nflows <= 64);
    CHECK_STATUS(vpnha_ecmp_group_select_many(&group, keys, nflows, many, nflows), VPNHA_OK);
    for (size_t i = 0; i < nflows; i++) {
        uint64_t want_hash, got_hash = 0;
        REQUIRE(hex_u64(&hashes->items[i], &want_hash));
        CHECK_STATUS(vpnha_ecmp_group_hash(&group, &keys[i], &got_hash), VPNHA_OK);
        if (got_hash != want_hash) {
            fprintf(stderr, "  flow %zu: hash 0x%016" PRIx64 ", expected 0x%016" PRIx64 "\n", i,
                    got_hash, want_hash);
        }
        CHECK(got_hash == want_hash);

        uint16_t t = 0xABCD;
        const json_value *want = &tunnels->items[i];
        if (want->type == JSON_NULL) {
            CHECK_STATUS(vpnha_ecmp_group_select(&group, &keys[i], &t), VPNHA_NO_TUNNEL);
            CHECK(t == 0xABCD); /* not written on failure */
            CHECK(many[i] == VPNHA_NONE);
        } else {
            CHECK_STATUS(vpnha_ecmp_group_select(&group, &keys[i], &t), VPNHA_OK);
            if (t != (uint16_t)want->number) {
                fprintf(stderr, "  flow %zu: tunnel %u, expected %u\n", i, t,
                        (unsigned)want->number);
            }
            CHECK(t == (uint16_t)want->number);
            CHECK(many[i] == (uint16_t)want->number);
        }
        answers_checked++;
    }
    cases_run++;
}

int main(int argc, char **argv) {
    REQUIRE(argc == 2);
    char path[4096];
    snprintf(path, sizeof path, "%s/testdata/ecmp_vectors.json", argv[1]);
    size_t len = 0;
    char *text = read_file(path, &len);
    if (text == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
        return 2;
    }
    json_value doc;
    REQUIRE(json_parse(text, len, &doc));
    free(text);

    const json_value *format = json_get(&doc, "format"), *flows = json_get(&doc, "flows"),
                     *cases = json_get(&doc, "cases");
    REQUIRE(format != NULL && format->type == JSON_NUMBER && format->number == 1);
    REQUIRE(flows != NULL && flows->type == JSON_ARRAY && flows->len > 0 && flows->len <= 64);
    REQUIRE(cases != NULL && cases->type == JSON_ARRAY && cases->len > 0);

    vpnha_flow_key keys[64];
    for (size_t i = 0; i < flows->len; i++) REQUIRE(read_flow(&flows->items[i], &keys[i]));
    for (size_t i = 0; i < cases->len; i++) run_case(&cases->items[i], keys, flows->len);
    check_current = "totals";
    CHECK(cases_run == cases->len);
    printf("%zu cases, %zu flows each: %zu hashes and tunnels as the golden file says\n",
           cases_run, flows->len, answers_checked);
    json_free(&doc);
    return check_summary("test_vectors");
}
