"""English dates as the seed's Blogger page writes them ("November 27, 2009"; "March 18, 2010 at
10:06 AM"), in place of Django's abbreviated ones. Other languages keep Django's formats."""

DATE_FORMAT = "F j, Y"
DATETIME_FORMAT = r"F j, Y \a\t g:i A"
TIME_FORMAT = "g:i A"
