"""Fulfilment of data-subject requests: one module per right, each reading the subject-data map.

Access (Art. 15) and portability (Art. 20) build their reports from
`crm.subject_data.subject_data_collect`; erasure (Art. 17) goes through
`crm.subject_data.subject_data_erase`, one transaction per contact; restriction
(Art. 18) and rectification (Art. 16) through crm's contact services; objection
(Art. 21) through consent's. No module here keeps its own list of fields.
"""
