"""The annotation loop: select documents to label, export them to Label Studio with the
champion's pre-annotations, import the finished labels as stand-off records.

It reads the corpus and the pipeline and is imported by neither: data flows corpus ->
pipeline -> annotate -> (files) -> corpus.
"""
