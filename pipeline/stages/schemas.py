"""Row structures that more than one stage writes (the ner stage finds entities, the aliases stage
gives them their corpus-wide names), so that both write exactly the same columns."""
import pyarrow as pa

ENTITY = pa.struct([("text", pa.string()), ("label", pa.string()), ("start", pa.int32()),
                    ("end", pa.int32()), ("orig_start", pa.int32()), ("orig_end", pa.int32()),
                    ("canonical", pa.string()), ("confidence", pa.float32())])
