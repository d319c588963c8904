import pytest

from pipeline.extract import build_extractor


@pytest.fixture(scope="session")
def extractor():
    return build_extractor()


@pytest.fixture(scope="session")
def extract(extractor):
    def run(abstract, title="Cryoneurolysis for pain", publication_types=None, full_text=None):
        record = {"id": "t1", "title": title, "abstract": abstract,
                  "publication_types": publication_types or []}
        if full_text:
            record["full_text"] = full_text
        return extractor.extract(record)
    return run
