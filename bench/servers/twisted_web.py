# Twisted 22.4's web server for P4/P5: "hello" (a leaf Resource answering "Hello, world!\n" as
# text/plain) or "static" (static.File of a directory). Listens on 127.0.0.1, a free port,
# prints the port, runs until killed. Run with Debian's /usr/bin/python3.
import sys

from twisted.internet import reactor
from twisted.web import resource, server, static


class Hello(resource.Resource):
    isLeaf = True

    def render_GET(self, request):
        request.setHeader(b"content-type", b"text/plain")
        return b"Hello, world!\n"


kind = sys.argv[1]
root = Hello() if kind == "hello" else static.File(sys.argv[2])
site = server.Site(root)
site.log = lambda request: None  # no access log, as the Node servers have none
port = reactor.listenTCP(0, site, interface="127.0.0.1")
print(port.getHost().port, flush=True)
reactor.run()
