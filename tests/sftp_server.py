"""An SFTP server on loopback (asyncssh, in a thread of its own) whose one account is chrooted to a
district's drop folder, as the district's own SFTP server would be: the SIS signs in and uploads its
OneRoster zip there. `upload` is the SIS's side (an SFTP client)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import asyncssh

USERNAME = "sis"
PASSWORD = "sis-upload-password"


class _Server(asyncssh.SSHServer):
    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return username == USERNAME and password == PASSWORD


class SftpServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.port = 0

    def start(self) -> None:
        self.thread.start()
        self.acceptor = self._run(self._listen())
        self.port = self.acceptor.sockets[0].getsockname()[1]

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    async def _listen(self) -> asyncssh.SSHAcceptor:
        key = asyncssh.generate_private_key("ssh-ed25519")
        root = str(self.root).encode()
        return await asyncssh.listen(
            "127.0.0.1",
            0,
            server_host_keys=[key],
            server_factory=_Server,
            sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=root),
            allow_scp=False,
        )

    def upload(self, local: Path, remote: str, *, rename_to: str | None = None) -> None:
        """Upload `local` as `remote` (then rename it, as careful SFTP clients do)."""

        async def put() -> None:
            async with (
                asyncssh.connect(
                    "127.0.0.1", self.port, username=USERNAME, password=PASSWORD, known_hosts=None
                ) as connection,
                connection.start_sftp_client() as sftp,
            ):
                await sftp.put(str(local), remote)
                if rename_to:
                    await sftp.rename(remote, rename_to)

        self._run(put())

    def stop(self) -> None:
        self.acceptor.close()
        self._run(self.acceptor.wait_closed())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
