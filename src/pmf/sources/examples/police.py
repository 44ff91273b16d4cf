"""Metropolitan Police Service example: monthly crime rates by borough and officer numbers.

Crime counts come from the MPS borough-level recorded crime files (London Datastore, one column
per month), populations from the census (GLA borough population workbook), and officer numbers
from the Home Office police workforce file with 2011 census populations by police force area.
Only boroughs are emitted for the crime measures: the BCUs and the force are pooled from them
(``rollup: pooled_ratio``). High harm offences are not emitted: the framework calculates them
from their four components (``formula:``). ``examples/police/README.md`` documents every
choice made here.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl

from pmf.sources.examples import OBSERVATION_COLUMNS

CRIME_FILES = ("mps_borough_crime_2010_2023.csv", "mps_borough_crime_2023_2025.csv")
POPULATION_FILE = "borough_population_1801_2021.xlsx"
LOOKUP_FILE = (
    "Local_Authority_District_to_Community_Safety_Partnerships_to_Police_Force_Areas__"
    "December_2016__Lookup_in_England_and_Wales.csv"
)
WORKFORCE_FILE = "police-workforce-fte-by-year.csv"
DEMOGRAPHICS_FILE = "force-demographics.csv"

CRIME_SOURCE = ("MPS recorded crime by borough, London Datastore (", "); census population, GLA")
RESIDENTS_SOURCE = "Census population by borough, GLA (borough_population_1801_2021.xlsx)"
WORKFORCE_SOURCE = (
    "Home Office police workforce (police-workforce-fte-by-year.csv); "
    "ONS 2011 census by police force area (force-demographics.csv)"
)

# Quarterly cycles graded from the figures (number, name, data to, board date): eight past
# cycles for the tube map and the changes, and a ninth left as a draft to take through.
CYCLES = (
    (1, "Winter 2023", "2023-11", "2024-01-22"),
    (2, "Spring 2024", "2024-02", "2024-04-22"),
    (3, "Summer 2024", "2024-05", "2024-07-22"),
    (4, "Autumn 2024", "2024-08", "2024-10-21"),
    (5, "Winter 2024", "2024-11", "2025-01-20"),
    (6, "Spring 2025", "2025-02", "2025-04-22"),
    (7, "Summer 2025", "2025-05", "2025-07-21"),
    (8, "Autumn 2025", "2025-08", "2025-10-20"),
    (9, "Winter 2025", "2025-11", "2026-01-19"),
)

MET_FORCE_AREA = "Metropolitan Police"
FORCE_CODE = "MPS"

# Periods starting before July 2016 use the 2011 census, later ones the 2021 census.
CENSUS_SWITCH_MONTH = 201607

# The four residential burglary categories across the April 2023 reclassification.
RESIDENTIAL_BURGLARY = (
    "DOMESTIC BURGLARY",
    "RES BURGLARY OF A HOME",
    "RES BURGLARY OF UNCONNECTED BUILDING",
    "BURGLARY - RESIDENTIAL",
)
# Rows of the crime files that are not a borough (no resident population): left out.
NOT_BOROUGHS = ("London Heathrow and London City Airports", "Unknown")
# Fraud moved to Action Fraud / NFIB from 2013, so police-recorded fraud is not comparable.
FRAUD_MAJORS = ("FRAUD AND FORGERY", "NFIB FRAUD")

_major = pl.col("major")
_minor = pl.col("minor")
_VWI = (_major == "VIOLENCE AGAINST THE PERSON") & (_minor == "VIOLENCE WITH INJURY")
_SEXUAL = _major == "SEXUAL OFFENCES"
_ROBBERY_PERSONAL = (_major == "ROBBERY") & (_minor == "ROBBERY OF PERSONAL PROPERTY")
_RES_BURGLARY = (_major == "BURGLARY") & _minor.is_in(RESIDENTIAL_BURGLARY)

# Which offences each crime measure counts. HIGH_HARM_RATE is not among them: the framework
# calculates it (``formula: VWI_RATE + SEXUAL_RATE + ROBBERY_PERSONAL_RATE + RES_BURGLARY_RATE``),
# so pmf stores it with lineage to its four components' figures.
CRIME_MEASURES: dict[str, pl.Expr] = {
    "VWI_RATE": _VWI,
    "SEXUAL_RATE": _SEXUAL,
    "ROBBERY_PERSONAL_RATE": _ROBBERY_PERSONAL,
    "RES_BURGLARY_RATE": _RES_BURGLARY,
    "VWOI_RATE": (_major == "VIOLENCE AGAINST THE PERSON") & (_minor == "VIOLENCE WITHOUT INJURY"),
    "ALL_CRIME_RATE": ~_major.is_in(FRAUD_MAJORS),
    "THEFT_PERSON_RATE": (_major == "THEFT") & (_minor == "THEFT FROM THE PERSON"),
    "VEHICLE_RATE": _major == "VEHICLE OFFENCES",
    "CRIMINAL_DAMAGE_RATE": _major == "ARSON AND CRIMINAL DAMAGE",
    "PUBLIC_ORDER_RATE": _major == "PUBLIC ORDER OFFENCES",
    "WEAPONS_RATE": _major == "POSSESSION OF WEAPONS",
    "DRUGS_RATE": _major == "DRUG OFFENCES",
}

# Every (major, minor) category the files hold; a new one must be placed deliberately.
KNOWN_CATEGORIES = frozenset(
    {
        ("ARSON AND CRIMINAL DAMAGE", "ARSON"),
        ("ARSON AND CRIMINAL DAMAGE", "CRIMINAL DAMAGE"),
        ("BURGLARY", "BURGLARY BUSINESS AND COMMUNITY"),
        *(("BURGLARY", minor) for minor in RESIDENTIAL_BURGLARY),
        ("DRUG OFFENCES", "POSSESSION OF DRUGS"),
        ("DRUG OFFENCES", "TRAFFICKING OF DRUGS"),
        ("FRAUD AND FORGERY", "FRAUD AND FORGERY"),
        ("NFIB FRAUD", "NFIB"),
        ("MISCELLANEOUS CRIMES AGAINST SOCIETY", "MISC CRIMES AGAINST SOCIETY"),
        ("POSSESSION OF WEAPONS", "POSSESSION OF WEAPONS"),
        ("PUBLIC ORDER OFFENCES", "OTHER OFFENCES PUBLIC ORDER"),
        ("PUBLIC ORDER OFFENCES", "PUBLIC FEAR ALARM OR DISTRESS"),
        ("PUBLIC ORDER OFFENCES", "RACE OR RELIGIOUS AGG PUBLIC FEAR"),
        ("PUBLIC ORDER OFFENCES", "VIOLENT DISORDER"),
        ("ROBBERY", "ROBBERY OF BUSINESS PROPERTY"),
        ("ROBBERY", "ROBBERY OF PERSONAL PROPERTY"),
        ("SEXUAL OFFENCES", "OTHER SEXUAL OFFENCES"),
        ("SEXUAL OFFENCES", "RAPE"),
        ("THEFT", "BICYCLE THEFT"),
        ("THEFT", "OTHER THEFT"),
        ("THEFT", "SHOPLIFTING"),
        ("THEFT", "THEFT FROM THE PERSON"),
        ("VEHICLE OFFENCES", "AGGRAVATED VEHICLE TAKING"),
        ("VEHICLE OFFENCES", "INTERFERING WITH A MOTOR VEHICLE"),
        ("VEHICLE OFFENCES", "THEFT FROM A VEHICLE"),
        ("VEHICLE OFFENCES", "THEFT OR UNAUTH TAKING OF A MOTOR VEH"),
        ("VIOLENCE AGAINST THE PERSON", "DEATH SERIOUS INJURY ILLEGAL DRIVING"),
        ("VIOLENCE AGAINST THE PERSON", "HOMICIDE"),
        ("VIOLENCE AGAINST THE PERSON", "STALKING AND HARASSMENT"),
        ("VIOLENCE AGAINST THE PERSON", "VIOLENCE WITH INJURY"),
        ("VIOLENCE AGAINST THE PERSON", "VIOLENCE WITHOUT INJURY"),
    }
)

# Force names in the workforce and census files that the ONS lookup spells differently.
FORCE_NAME_IN_LOOKUP = {
    "Avon & Somerset": "Avon and Somerset",
    "Metropolitan": MET_FORCE_AREA,
    "City of London": "London, City of",
}
# Left out: a resident-population rate means nothing for the City's force (see README).
EXCLUDED_FORCES = ("City of London",)


# The offences the HOMICIDES measure counts: few a month in a borough, a c chart's case.
HOMICIDE = (_major == "VIOLENCE AGAINST THE PERSON") & (_minor == "HOMICIDE")


def build(data_dir: Path) -> pl.DataFrame:
    """Return the observations: crime rates, homicides, census residents and officer rates."""
    data_dir = Path(data_dir)
    return pl.concat(
        [crime_rates(data_dir), homicides(data_dir), residents(data_dir), officer_rates(data_dir)]
    ).select(OBSERVATION_COLUMNS)


def homicides(data_dir: Path) -> pl.DataFrame:
    """Return each borough's homicides a month, the HOMICIDES count (charted as a c chart)."""
    crime = crime_counts(data_dir).join(borough_codes(data_dir), on="borough", how="inner")
    return (
        crime.filter(HOMICIDE)
        .group_by("unit", "month", "file")
        .agg(pl.col("count").sum().cast(pl.Float64).alias("value"))
        .select(
            unit=pl.col("unit"),
            measure=pl.lit("HOMICIDES"),
            period=pl.col("month").cast(pl.String).str.replace(r"^(\d{4})(\d{2})$", "$1-$2"),
            value=pl.col("value"),
            numerator=pl.lit(None, dtype=pl.Float64),
            denominator=pl.lit(None, dtype=pl.Float64),
            source=pl.concat_str(pl.lit(CRIME_SOURCE[0]), pl.col("file"), pl.lit(")")),
        )
        .sort("unit", "period")
    )


def residents(data_dir: Path) -> pl.DataFrame:
    """Return each borough's census population (2011 and 2021), the RESIDENTS context measure."""
    return (
        borough_population(data_dir)
        .join(borough_codes(data_dir), on="borough", how="inner")
        .select(
            unit=pl.col("unit"),
            measure=pl.lit("RESIDENTS"),
            period=pl.col("census").cast(pl.String),
            value=pl.col("population"),
            numerator=pl.lit(None, dtype=pl.Float64),
            denominator=pl.lit(None, dtype=pl.Float64),
            source=pl.lit(RESIDENTS_SOURCE),
        )
        .sort("unit", "period")
    )


def crime_rates(data_dir: Path) -> pl.DataFrame:
    """Return one row per borough, crime measure and month, as a rate per 1,000 residents."""
    boroughs = borough_codes(data_dir)
    crime = crime_counts(data_dir)
    unmatched = set(crime.join(boroughs, on="borough", how="anti")["borough"].unique())
    if unmatched - set(NOT_BOROUGHS):
        raise ValueError(f"crime rows for unknown boroughs: {unmatched - set(NOT_BOROUGHS)}")
    crime = crime.join(boroughs, on="borough", how="inner")
    counted = pl.concat(
        [
            crime.filter(selects).with_columns(measure=pl.lit(code))
            for code, selects in CRIME_MEASURES.items()
        ]
    )
    counts = counted.group_by("unit", "borough", "measure", "month", "file").agg(
        numerator=pl.col("count").sum().cast(pl.Float64)
    )
    population = borough_population(data_dir)
    return (
        counts.with_columns(
            census=pl.when(pl.col("month") < CENSUS_SWITCH_MONTH).then(2011).otherwise(2021)
        )
        .join(population, on=["borough", "census"], how="left", validate="m:1")
        .with_columns(
            period=pl.col("month").cast(pl.String).str.replace(r"^(\d{4})(\d{2})$", "$1-$2"),
            denominator=pl.col("population"),
            value=pl.col("numerator") / pl.col("population") * 1000,
            source=pl.concat_str(pl.lit(CRIME_SOURCE[0]), pl.col("file"), pl.lit(CRIME_SOURCE[1])),
        )
        .select(OBSERVATION_COLUMNS)
        .sort("measure", "unit", "period")
    )


def crime_counts(data_dir: Path) -> pl.DataFrame:
    """Return the crime files in long form: borough, major, minor, month (int YYYYMM), count.

    Where two files hold the same month the later file wins, so nothing is counted twice.
    """
    frames = []
    for rank, name in enumerate(CRIME_FILES):
        wide = pl.read_csv(data_dir / name, infer_schema_length=0)
        frames.append(
            wide.rename({"MajorText": "major", "MinorText": "minor", "BoroughName": "borough"})
            .unpivot(index=["major", "minor", "borough"], variable_name="month", value_name="count")
            .with_columns(
                pl.col("month").cast(pl.Int32),
                pl.col("count").cast(pl.Int64),
                file=pl.lit(name),
                rank=pl.lit(rank),
            )
        )
    long = pl.concat(frames)
    categories = set(long.select("major", "minor").unique().iter_rows())
    unknown = categories - KNOWN_CATEGORIES
    if unknown:
        raise ValueError(f"crime categories not placed in any measure's definition: {unknown}")
    return long.filter(pl.col("rank") == pl.col("rank").max().over("month")).drop("rank")


def borough_codes(data_dir: Path) -> pl.DataFrame:
    """Return the 32 boroughs policed by the Met with their ONS codes: borough, unit."""
    lookup = pl.read_csv(data_dir / LOOKUP_FILE, infer_schema_length=0)
    boroughs = (
        lookup.filter(pl.col("PFA16NM") == MET_FORCE_AREA)
        .select(borough=pl.col("LAD16NM"), unit=pl.col("LAD16CD"))
        .unique()
    )
    if boroughs.height != 32:
        raise ValueError(f"expected 32 Met boroughs in {LOOKUP_FILE}, found {boroughs.height}")
    return boroughs


def borough_population(data_dir: Path) -> pl.DataFrame:
    """Return the 2011 and 2021 census populations: borough, census (year), population.

    The workbook's summary rows (Central/Inner/Outer London) are formulas and are not boroughs;
    only rows naming a Met borough are kept.
    """
    workbook = openpyxl.load_workbook(data_dir / POPULATION_FILE, read_only=True)
    rows = list(workbook["data"].iter_rows(values_only=True))
    workbook.close()
    header = [str(cell) for cell in rows[0]]
    columns = {census: header.index(str(census)) for census in (2011, 2021)}
    # Reading the sheet: keep cells that are numbers (summary rows hold formula text).
    cells = [
        (row[0], census, float(cell))
        for row in rows[1:]
        for census, index in columns.items()
        if isinstance(cell := row[index], int | float)
    ]
    table = pl.DataFrame(
        cells,
        schema={"borough": pl.String, "census": pl.Int32, "population": pl.Float64},
        orient="row",
    )
    population = table.join(borough_codes(data_dir).select("borough"), on="borough", how="semi")
    if population.height != 64:
        raise ValueError(f"{POPULATION_FILE} lacks a 2011 or 2021 figure for some borough")
    return population


def officer_rates(data_dir: Path) -> pl.DataFrame:
    """Return police officers (FTE) per 1,000 residents (2011 census) by force and year."""
    workforce = pl.read_csv(data_dir / WORKFORCE_FILE).rename(
        {"Police force": "force", "FTE Count": "fte", "Year": "year"}
    )
    # "West Midlands" appears twice a year: the larger row is the West Midlands region (it equals
    # the sum of West Midlands, Staffordshire, Warwickshire and West Mercia), the smaller the force.
    workforce = workforce.group_by("force", "year").agg(pl.col("fte").min())
    demographics = pl.read_csv(data_dir / DEMOGRAPHICS_FILE)
    population = demographics.select(
        force=pl.col("PFA16NM"), population=pl.col(demographics.columns[1]).cast(pl.Float64)
    )
    lookup = pl.read_csv(data_dir / LOOKUP_FILE, infer_schema_length=0)
    areas = lookup.select(area=pl.col("PFA16NM"), unit=pl.col("PFA16CD")).unique()
    return (
        workforce.join(population, on="force", how="inner")
        .filter(~pl.col("force").is_in(EXCLUDED_FORCES))
        .with_columns(area=pl.col("force").replace(FORCE_NAME_IN_LOOKUP))
        .join(areas, on="area", how="left")
        .with_columns(
            unit=pl.when(pl.col("area") == MET_FORCE_AREA)
            .then(pl.lit(FORCE_CODE))
            .otherwise(pl.col("unit")),
            measure=pl.lit("OFFICERS_PER_1000"),
            period=pl.col("year").cast(pl.String),
            numerator=pl.col("fte").cast(pl.Float64),
            denominator=pl.col("population"),
            value=pl.col("fte") / pl.col("population") * 1000,
            source=pl.lit(WORKFORCE_SOURCE),
        )
        .select(OBSERVATION_COLUMNS)
        .sort("unit", "period")
    )


BCU_FILE = "bcu_lookup.csv"
# The twelve months the commands' crime mix is read from: the first full financial year of
# the 2019 BCU structure before the pandemic (April 2019 to March 2020 would straddle it).
CONTEXT_MONTHS = (201804, 201903)
# Context variables for the commands' Most Similar Groups, and how many peers each has.
COMMAND_CONTEXT = ("log_population", "population_growth", "theft_share", "vehicle_share")
COMMAND_GROUP_SIZE = 4
COMMAND_CONTEXT_SOURCE = (
    "Census 2011 and 2021 by borough (GLA, borough_population_1801_2021.xlsx); MPS recorded "
    "crime by borough, April 2018 to March 2019 (mps_borough_crime_2010_2023.csv); boroughs of "
    "each BCU from bcu_lookup.csv"
)


def command_context(data_dir: Path) -> pl.DataFrame:
    """Return the context variables of each BCU for its Most Similar Group: one row per BCU.

    ``log_population``: natural log of the 2021 census population; ``population_growth``:
    2021 over 2011 census population, less one; ``theft_share`` and ``vehicle_share``: theft
    and vehicle offences as shares of all recorded crime but fraud, April 2018 to March 2019.
    Each is the BCU's own (its boroughs summed), not an average of its boroughs.
    """
    data_dir = Path(data_dir)
    bcus = pl.read_csv(data_dir / BCU_FILE, infer_schema_length=0).select(
        "borough", unit=pl.col("bcu_code")
    )
    population = (
        borough_population(data_dir)
        .join(bcus, on="borough", how="inner")
        .group_by("unit")
        .agg(
            p2011=pl.col("population").filter(pl.col("census") == 2011).sum(),
            p2021=pl.col("population").filter(pl.col("census") == 2021).sum(),
        )
    )
    first, last = CONTEXT_MONTHS
    crime = (
        crime_counts(data_dir)
        .filter(pl.col("month").is_between(first, last) & ~_major.is_in(FRAUD_MAJORS))
        .join(bcus, on="borough", how="inner")
        .group_by("unit")
        .agg(
            total=pl.col("count").sum(),
            theft=pl.col("count").filter(_major == "THEFT").sum(),
            vehicle=pl.col("count").filter(_major == "VEHICLE OFFENCES").sum(),
        )
    )
    frame = population.join(crime, on="unit", how="inner", validate="1:1")
    if frame.height != bcus["unit"].n_unique():
        raise ValueError(f"{BCU_FILE}: some BCU has no borough with population and crime")
    return frame.select(
        "unit",
        log_population=pl.col("p2021").log(),
        population_growth=pl.col("p2021") / pl.col("p2011") - 1,
        theft_share=pl.col("theft") / pl.col("total"),
        vehicle_share=pl.col("vehicle") / pl.col("total"),
    ).sort("unit")
