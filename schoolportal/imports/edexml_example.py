"""The example EDEXML file offered for download: the shape of an administration's export."""

from datetime import date
from xml.sax.saxutils import escape

from schoolportal.core.models import school_year_of

# (key, call name, prefix, last name, birth date offset in years, group key)
PUPILS = [
    ("EX-3001", "Daan", "de", "Vries", 7, "ST-4"),
    ("EX-3002", "Fleur", "van", "Dijk", 7, "ST-4"),
    ("EX-3003", "Noor", "", "Yilmaz", 8, "ST-4"),
]


def example_edexml(today):
    """An EDEXML 2.1 export of this school year with one group, three pupils and a teacher."""
    year = school_year_of(today)
    start = int(year[:4])
    pupils = "".join(
        f'\n    <leerling key="{key}">\n      <achternaam>{escape(last)}</achternaam>'
        + (f"\n      <voorvoegsel>{prefix}</voorvoegsel>" if prefix else "")
        + f"\n      <roepnaam>{first}</roepnaam>\n      <geboortedatum>"
        f"{date(start - age, 3, 14).isoformat()}</geboortedatum>\n"
        f'      <groep key="{group}"/>\n    </leerling>'
        for key, first, prefix, last, age, group in PUPILS)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<EDEX xmlns="http://www.edustandaard.nl/edexml/2.1">
  <school>
    <schooljaar>{year}</schooljaar>
    <brincode>12AB00</brincode>
  </school>
  <groepen>
    <groep key="ST-4"><naam>Groep 4</naam><jaargroep>4</jaargroep></groep>
    <samengestelde_groep key="SG-1"><naam>Plusgroep</naam></samengestelde_groep>
  </groepen>
  <leerlingen>{pupils}
  </leerlingen>
  <leerkrachten>
    <leerkracht key="LK-40">
      <achternaam>Bouali</achternaam>
      <roepnaam>Fatima</roepnaam>
      <emailadres>juf.fatima@example.org</emailadres>
      <groepen><groep key="ST-4"/></groepen>
    </leerkracht>
  </leerkrachten>
</EDEX>
""".encode()
