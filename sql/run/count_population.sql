-- How many patients the study judged (one population row each): the progress line's count.
SELECT count(*) AS patients FROM population;
