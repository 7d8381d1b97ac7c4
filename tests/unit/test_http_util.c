/* Entity tags, If-None-Match, Accept-Encoding and gzip (server/http/response.c). */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "response.h"
#include "testhelp.h"

int main(void)
{
    TEST("etag")
    {
        char a[24], b[24], g[24];
        resp_etag("hello", 5, 0, a);
        resp_etag("hellp", 5, 0, b);
        resp_etag("hello", 5, 1, g);
        CHECK(a[0] == '"' && a[strlen(a) - 1] == '"' && strlen(a) == 18);
        CHECK(strcmp(a, b) != 0);
        CHECK(strlen(g) == 21 && strncmp(a, g, 17) == 0);
        CHECK(resp_etag_match(a, a));
        CHECK(resp_etag_match(g, a));
        CHECK(resp_etag_match(a, g));
        CHECK(!resp_etag_match(b, a));
        CHECK(resp_etag_match("*", a));
        char list[80];
        snprintf(list, sizeof list, "\"x\", W/%s", a);
        CHECK(resp_etag_match(list, a));
        CHECK(!resp_etag_match("garbage", a));
        CHECK(!resp_etag_match("", a));
        CHECK(!resp_etag_match(NULL, a));
    }

    TEST("accept-encoding")
    {
        CHECK(resp_accepts_gzip("gzip"));
        CHECK(resp_accepts_gzip("deflate, gzip;q=0.5"));
        CHECK(resp_accepts_gzip("br, GZIP"));
        CHECK(!resp_accepts_gzip("gzip;q=0"));
        CHECK(!resp_accepts_gzip("deflate, br"));
        CHECK(!resp_accepts_gzip("identity"));
        CHECK(!resp_accepts_gzip(NULL));
        CHECK(resp_accepts_gzip("*"));
    }

    TEST("gzip roundtrip")
    {
        char in[4096];
        for (size_t i = 0; i < sizeof in; i++)
            in[i] = "{\"items\":[]}"[i % 12];
        char *out = NULL;
        size_t n = 0;
        CHECK(resp_gzip(in, sizeof in, &out, &n) == 0);
        CHECK(out && n < sizeof in && (unsigned char)out[0] == 0x1f &&
              (unsigned char)out[1] == 0x8b);
        char back[8192];
        z_stream z;
        memset(&z, 0, sizeof z);
        inflateInit2(&z, 15 + 16);
        z.next_in = (Bytef *)out;
        z.avail_in = (uInt)n;
        z.next_out = (Bytef *)back;
        z.avail_out = sizeof back;
        CHECK(inflate(&z, Z_FINISH) == Z_STREAM_END);
        CHECK(z.total_out == sizeof in && memcmp(back, in, sizeof in) == 0);
        inflateEnd(&z);
        free(out);
        /* incompressible input is not worth it */
        char rnd[64];
        for (size_t i = 0; i < sizeof rnd; i++)
            rnd[i] = (char)(i * 97 + 13);
        CHECK(resp_gzip(rnd, sizeof rnd, &out, &n) == -1 && out == NULL);
    }
    return test_report("http_util");
}
