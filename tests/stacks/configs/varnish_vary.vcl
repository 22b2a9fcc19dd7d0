# Varnish with the builtin VCL in front of flask/correct, which sends Vary: Origin on every
# answer: Varnish stores one variant per Origin value, so no cross-origin hit.
vcl 4.1;
backend default {
    .host = "127.0.0.1";
    .port = "@UPSTREAM@";
}
