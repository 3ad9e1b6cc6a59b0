"""The persistent vector store: chunk embeddings in an embedded ChromaDB under the data dir.

Embeddings are always computed by `index.embeddings` and handed to Chroma: its default
embedding function downloads a model and fails offline. One collection per embedding model,
since vectors of different models cannot be compared. chromadb is imported when a store is
first opened, not with this module.

Opening creates the Chroma database and the collection when they are missing; that happens
under the data directory's writer lock, so two processes starting at once on a fresh directory
do not both try to create them (Chroma's "table collections already exists").

With `chroma_url` (`JUESUAN_CHROMA_URL`, `--chroma-url http://HOST:PORT`) the vectors live on a
Chroma server instead (`chroma run`), which several app instances and batch workers share; the
same collection names, our own embeddings. SQLite stays the truth: `juesuan doctor --repair`
rebuilds a server's collection from it (docs/scale.md). A server that does not answer is a
`VectorStoreUnavailable` with one line naming it.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from index.models import Chunk
from index.store import writer_lock

# Ids and metadata are read from a collection in pages of this many (a server answers one
# request per page instead of one reply holding every vector id of a large library).
_PAGE = 5000


class VectorStoreUnavailable(RuntimeError):
    """The Chroma server of `chroma_url` cannot be reached; the message is one line for the user."""


def parse_chroma_url(url: str) -> tuple[str, int, bool]:
    """Host, port and TLS of a Chroma server URL (`http://HOST:PORT` or `https://HOST[:PORT]`);
    ValueError with a message a user can act on otherwise."""
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in ("http", "https") or not parts.hostname or port == -1 or parts.path.strip("/") \
            or parts.query or parts.username:
        raise ValueError(f"Chroma 服务器地址 {url!r} 无效：应为 http://HOST:PORT 或 https://HOST:PORT")
    return parts.hostname, port or (443 if parts.scheme == "https" else 8000), parts.scheme == "https"


def open_client(data_dir: Path, url: str = ""):
    """The Chroma client: the server at `url`, else the embedded database under `data_dir/chroma`."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if not url:
        with writer_lock(data_dir):
            return chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=settings)
    host, port, ssl = parse_chroma_url(url)
    try:
        return chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=settings)
    except Exception as exc:  # noqa: BLE001 - chromadb raises ValueError or httpx errors
        raise unavailable(url, exc) from None


def unavailable(url: str, exc: BaseException) -> VectorStoreUnavailable:
    """The one-line error for a Chroma server that did not answer."""
    reason = " ".join(str(exc).split())[:200] or type(exc).__name__
    return VectorStoreUnavailable(f"Chroma 服务器 {url} 无法连接（{reason}）：服务器是否在运行？地址是否正确？")


class _ServerCollection:
    """A Chroma server's collection whose connection errors are `VectorStoreUnavailable`: a server
    that stops mid-run ends the command with one line, not an HTTP client's traceback."""

    def __init__(self, collection, url: str) -> None:
        self._collection = collection
        self._url = url
        self.name = collection.name

    def __getattr__(self, name: str):
        attr = getattr(self._collection, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            import httpx  # chromadb's HTTP client

            try:
                return attr(*args, **kwargs)
            except (httpx.TransportError, ConnectionError) as exc:
                raise unavailable(self._url, exc) from None

        return call


def _ids_and_reports(collection) -> dict[str, str]:
    """Chunk id → report id of every vector of a collection, read in pages."""
    found: dict[str, str] = {}
    offset = 0
    while True:
        page = collection.get(include=["metadatas"], limit=_PAGE, offset=offset)
        found.update((cid, (m or {}).get("report_id", "")) for cid, m in zip(page["ids"], page["metadatas"] or [],
                                                                              strict=True))
        if len(page["ids"]) < _PAGE:
            return found
        offset += _PAGE


def collection_name(model_slug: str) -> str:
    """The collection holding the vectors of one embedding model."""
    return f"chunks-{model_slug}"[:60]


class VectorStore:
    """Chunk vectors of one embedding model."""

    def __init__(self, data_dir: Path, model_slug: str, url: str = "") -> None:
        # chromadb is imported in open_client: it takes about a second to import, and answering
        # with dense retrieval off never opens the vector store.
        self.name = collection_name(model_slug)
        self.url = url
        with writer_lock(data_dir):
            self._client = open_client(data_dir, url)
            try:
                self._collection = self._client.get_or_create_collection(
                    name=self.name, embedding_function=None, metadata={"hnsw:space": "cosine"}
                )
            except Exception as exc:
                if url:  # the server went away between the two calls
                    raise unavailable(url, exc) from None
                raise
        if url:
            self._collection = _ServerCollection(self._collection, url)

    def add(self, chunks: list[Chunk], embeddings: list[list[float]]) -> None:
        """Store chunk vectors (upsert: re-adding the same chunk replaces it)."""
        if not chunks:
            return
        self._collection.upsert(
            ids=[c.id for c in chunks],
            embeddings=embeddings,
            metadatas=[{"report_id": c.report_id, "section": c.section, "page": c.page or 0} for c in chunks],
        )

    def delete_reports(self, report_ids: list[str]) -> None:
        """Remove every vector of these reports."""
        for report_id in report_ids:
            self._collection.delete(where={"report_id": report_id})

    def delete_ids(self, chunk_ids: list[str]) -> None:
        """Remove the vectors of these chunks."""
        for start in range(0, len(chunk_ids), 1000):
            self._collection.delete(ids=chunk_ids[start : start + 1000])

    def report_ids(self) -> set[str]:
        """Reports that have vectors here (to find orphans of an interrupted ingest)."""
        return set(self.chunk_ids().values())

    def chunk_ids(self) -> dict[str, str]:
        """Chunk id → report id of every stored vector (ids and metadata only, no embeddings)."""
        return _ids_and_reports(self._collection)

    def count(self) -> int:
        """Number of stored vectors."""
        return self._collection.count()

    def query(self, embedding: list[float], k: int, report_ids: list[str] | None = None) -> list[tuple[str, float]]:
        """Nearest chunk ids with cosine similarity, optionally within some reports."""
        if self.count() == 0:
            return []
        where = None
        if report_ids is not None:
            if not report_ids:
                return []
            where = {"report_id": {"$in": report_ids}} if len(report_ids) > 1 else {"report_id": report_ids[0]}
        result = self._collection.query(query_embeddings=[embedding], n_results=k, where=where, include=["distances"])
        return [(cid, 1.0 - dist) for cid, dist in zip(result["ids"][0], result["distances"][0], strict=True)]


def _chunk_collections(client, url: str = "") -> list:
    try:
        found = [client.get_collection(c.name if hasattr(c, "name") else c) for c in client.list_collections()
                 if (c.name if hasattr(c, "name") else c).startswith("chunks-")]
    except Exception as exc:
        if url:
            raise unavailable(url, exc) from None
        raise
    return [_ServerCollection(c, url) for c in found] if url else found


def stored_vector_ids(data_dir: Path, url: str = "") -> dict[str, dict[str, str]]:
    """Collection name → (chunk id → report id) of every chunk vector stored, whatever the model."""
    return {c.name: _ids_and_reports(c) for c in _chunk_collections(open_client(data_dir, url), url)}


def delete_vector_ids(data_dir: Path, keep: set[str], url: str = "") -> int:
    """Remove, from every collection, the vectors of chunks not in `keep`; returns how many."""
    removed = 0
    with writer_lock(data_dir):
        for collection in _chunk_collections(open_client(data_dir, url), url):
            extra = [cid for cid in _ids_and_reports(collection) if cid not in keep]
            for start in range(0, len(extra), 1000):
                collection.delete(ids=extra[start : start + 1000])
            removed += len(extra)
    return removed
