# Varnish with the builtin VCL in front of flask/no_expose, which echoes the allowed origin
# WITHOUT Vary: Origin (and refuses other origins, also without Vary): the cache key is the
# URL (+ Host), so one origin's answer is served to every other origin.
vcl 4.1;
backend default {
    .host = "127.0.0.1";
    .port = "@UPSTREAM@";
}
