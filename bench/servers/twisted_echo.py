"""The Twisted peer for benchmark P1: Twisted's own echo protocol (twisted.protocols.wire.Echo)
on 127.0.0.1, a free port. Prints the port on stdout, then serves until SIGTERM or SIGINT.

Run with Debian's python3-twisted: /usr/bin/python3 servers/twisted_echo.py
It uses Twisted's default reactor (epoll on Linux) and logs nothing, like the Node servers.
"""

import sys

from twisted.internet import reactor
from twisted.internet.protocol import Factory
from twisted.protocols import wire

factory = Factory.forProtocol(wire.Echo)
factory.noisy = False
port = reactor.listenTCP(0, factory, interface="127.0.0.1")
print(port.getHost().port, flush=True)
sys.stdout.close()
reactor.run()
