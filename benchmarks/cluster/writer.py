"""Creates temporary domains through one node as fast as one client can, one request at a time, and appends
"SENT_MS ACKED_MS" (wall clock) of every acknowledged (2xx) creation to a file: the failover measurement reads the
first acknowledgement of a request sent after a kill. Runs until killed."""
import sys
import time
import urllib.request

url, out = sys.argv[1], sys.argv[2]
with open(out, "a", buffering=1) as acks:
    while True:
        sent = int(time.time() * 1000)
        try:
            request = urllib.request.Request(url + "/api/v1/domains/temporary", data=b"", method="POST")
            with urllib.request.urlopen(request, timeout=5) as reply:
                if 200 <= reply.status < 300:
                    acks.write("%d %d\n" % (sent, int(time.time() * 1000)))
        except Exception:
            time.sleep(0.01)
