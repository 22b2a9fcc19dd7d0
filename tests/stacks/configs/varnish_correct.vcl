# Correct for an app that forgets Vary (flask/no_expose): the Origin is part of the cache key.
vcl 4.1;
backend default {
    .host = "127.0.0.1";
    .port = "@UPSTREAM@";
}
sub vcl_hash {
    hash_data(req.http.Origin);
}
